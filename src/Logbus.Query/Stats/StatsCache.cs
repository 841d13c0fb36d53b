using System.Globalization;
using Logbus.Query.Caching;

namespace Logbus.Query.Stats;

/// <summary>Statistics of the last hours, computed at most once per cache period for every caller and route.</summary>
public sealed class StatsCache(LogStatsStore store, QueryCache cache, TimeProvider time)
{
    /// <param name="sourceGlobs">The sources the request's key is restricted to; empty for every source.</param>
    public ValueTask<LogStats> GetAsync(int hoursBack, IReadOnlyList<string> sourceGlobs, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync("stats", hoursBack.ToString(CultureInfo.InvariantCulture) + "|" + string.Join(',', sourceGlobs),
            cache.Options.StatsTtl, token =>
        {
            var now = time.GetUtcNow();
            return store.ComputeAsync(now.AddHours(-hoursBack), now, sourceGlobs, token);
        }, cancellationToken);
}
