using System.Globalization;
using Logbus.Query.Caching;
using Logbus.Query.Filtering;

namespace Logbus.Query.Stats;

/// <summary>Statistics of the last hours, computed at most once per cache period for every caller and route.</summary>
public sealed class StatsCache(LogStatsStore store, QueryCache cache, TimeProvider time)
{
    /// <param name="sourceGlobs">The sources the request's key is restricted to; empty for every source.</param>
    /// <param name="expression">Statistics of the events matching it only, when given.</param>
    public ValueTask<LogStats> GetAsync(int hoursBack, IReadOnlyList<string> sourceGlobs, CancellationToken cancellationToken,
        FilterExpression? expression = null) =>
        cache.GetOrCreateAsync("stats",
            string.Join('|', hoursBack.ToString(CultureInfo.InvariantCulture), string.Join(',', sourceGlobs), expression?.Text ?? ""),
            cache.Options.StatsTtl, token =>
            {
                var now = time.GetUtcNow();
                return store.ComputeAsync(now.AddHours(-hoursBack), now, sourceGlobs, token, expression);
            }, cancellationToken);
}
