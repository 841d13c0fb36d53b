using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Caching;

/// <summary>
/// Cache-aside for query answers: a normalized key, a time-to-live chosen by what the answer covers, and at most one
/// PostgreSQL query per key at a time in this process (HybridCache's stampede protection). There is no in-process copy:
/// Redis is the one cache every Query instance shares.
/// </summary>
public sealed class QueryCache(HybridCache cache, IOptions<CacheOptions> options, TimeProvider time)
{
    private readonly CacheOptions _options = options.Value;

    public CacheOptions Options => _options;

    /// <param name="kind">What the answer is (<c>search</c>, <c>stats</c>…); part of the key.</param>
    /// <param name="canonical">A text equal for every request that must get the same answer.</param>
    public ValueTask<T> GetOrCreateAsync<T>(string kind, string canonical, TimeSpan ttl, Func<CancellationToken, ValueTask<T>> create,
        CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(Key(kind, canonical), create, Entry(ttl), cancellationToken: cancellationToken);

    /// <summary>Like <see cref="GetOrCreateAsync{T}"/>, but a missing answer (null) is not kept: it may exist soon.</summary>
    public async ValueTask<T?> GetOrCreateUnlessMissingAsync<T>(string kind, string canonical, TimeSpan ttl, Func<CancellationToken,
        ValueTask<T?>> create, CancellationToken cancellationToken)
        where T : class
    {
        var key = Key(kind, canonical);
        var value = await cache.GetOrCreateAsync(key, create, Entry(ttl), cancellationToken: cancellationToken);
        if (value is null)
        {
            await cache.RemoveAsync(key, cancellationToken);
        }

        return value;
    }

    /// <summary>Time-to-live for an answer about <c>[from, to)</c>: long once the window has closed, short while open.</summary>
    public TimeSpan WindowTtl(DateTimeOffset to, bool openEnded) =>
        !openEnded && to < time.GetUtcNow() - _options.ClosedAfter ? _options.ClosedWindowTtl : _options.OpenWindowTtl;

    /// <summary>
    /// The window part of a key. An open window ("the last 24 h") is rounded to the open-window time-to-live, so the
    /// same request repeated within it finds the same entry.
    /// </summary>
    public string WindowKey(DateTimeOffset from, DateTimeOffset to, bool openEnded)
    {
        if (!openEnded)
        {
            return $"{from.UtcTicks}..{to.UtcTicks}";
        }

        var step = Math.Max(1, _options.OpenWindowTtl.Ticks);
        return $"{from.UtcTicks / step * step}..open";
    }

    private string Key(string kind, string canonical) =>
        $"{_options.KeyPrefix}{kind}:v1:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32]}";

    private static HybridCacheEntryOptions Entry(TimeSpan ttl) => new()
    {
        Expiration = ttl,
        LocalCacheExpiration = ttl,
        Flags = HybridCacheEntryFlags.DisableLocalCache,
    };
}
