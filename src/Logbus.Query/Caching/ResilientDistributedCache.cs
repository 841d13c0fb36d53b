using Logbus.ServiceDefaults.Monitoring;
using Logbus.ServiceDefaults.Resilience;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Logbus.Query.Caching;

/// <summary>
/// The Redis cache as the Query service uses it: a cache, never a dependency. Every call waits at most
/// <see cref="CacheOptions.RedisTimeout"/>; after repeated failures a circuit breaker skips Redis for a while and then
/// tries again, so caching resumes by itself. A failed read is a miss, a failed write is dropped: answers then come
/// from PostgreSQL, without an error.
/// </summary>
public sealed class ResilientDistributedCache : IDistributedCache
{
    private static readonly CumulativeCounter Reads = new(LogbusMeters.Logbus, "query_cache_reads_total", "{read}",
        "Cache reads by result: hit, miss, error (Redis failed or timed out), skipped (circuit open).", "result");

    private static readonly CumulativeCounter Writes = new(LogbusMeters.Logbus, "query_cache_writes_total", "{write}",
        "Cache writes by result: stored, error, skipped (circuit open).", "result");

    /// <summary>Redis's name in logs and metrics and the key of its circuit breaker.</summary>
    public const string Dependency = "Redis";

    private readonly IDistributedCache _redis;
    private readonly TimeSpan _timeout;
    private readonly DependencyCircuitBreaker _breaker;

    public ResilientDistributedCache(IDistributedCache redis, CacheOptions options, DependencyCircuitBreaker breaker)
    {
        _redis = redis;
        _timeout = options.RedisTimeout;
        _breaker = breaker;
    }

    /// <summary>The breaker around Redis: it opens sooner than the database's, and stays open for <see cref="CacheOptions.RedisBreak"/>.</summary>
    public static CircuitBreakerSettings BreakerSettings(CacheOptions options) => new()
    {
        MinimumThroughput = 2,
        BreakDuration = options.RedisBreak,
    };

    /// <summary>
    /// Creates the cache's counters with every result at zero. Called at registration: the counters are static, so
    /// otherwise they would appear with the first cache call, and dashboards would show "No data" until then.
    /// </summary>
    public static void StartAtZero()
    {
        Reads.ZeroEach(["hit", "miss", "error", "skipped"]);
        Writes.ZeroEach(["stored", "error", "skipped"]);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        try
        {
            var value = await _breaker.ExecuteAsync(async t => await _redis.GetAsync(key, t).WaitAsync(_timeout, t), token);
            Reads.Add(1, value is null ? "miss" : "hit");
            return value;
        }
        catch (DependencyUnavailableException e)
        {
            Reads.Add(1, e.InnerException is Polly.CircuitBreaker.BrokenCircuitException ? "skipped" : "error");
            return null;
        }
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        try
        {
            await _breaker.ExecuteAsync(async t => await _redis.SetAsync(key, value, options, t).WaitAsync(_timeout, t), token);
            Writes.Add(1, "stored");
        }
        catch (DependencyUnavailableException e)
        {
            Writes.Add(1, e.InnerException is Polly.CircuitBreaker.BrokenCircuitException ? "skipped" : "error");
        }
    }

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        try
        {
            await _breaker.ExecuteAsync(async t => await _redis.RefreshAsync(key, t).WaitAsync(_timeout, t), token);
        }
        catch (DependencyUnavailableException)
        {
            // Sliding expiration is not used; a missed refresh costs nothing.
        }
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        try
        {
            await _breaker.ExecuteAsync(async t => await _redis.RemoveAsync(key, t).WaitAsync(_timeout, t), token);
        }
        catch (DependencyUnavailableException)
        {
            // The entry expires by itself.
        }
    }

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public static bool IsOutage(Exception exception) => exception is RedisException or TimeoutException or ObjectDisposedException;
}
