using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Logbus.Query.Caching;

/// <summary>
/// Redis answers PING on the service's shared multiplexer, and bounds its memory. Every distinct search is a cache
/// key until its time-to-live ends, so a client sending many different windows can fill a Redis that neither caps its
/// memory (<c>maxmemory</c>) nor evicts (<c>maxmemory-policy</c> other than <c>noeviction</c>): Query then reports
/// Degraded, naming both settings.
/// </summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis is not connected; the multiplexer keeps reconnecting.");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            var unbounded = await UnboundedMemoryAsync(cancellationToken);
            return unbounded is null
                ? HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms")
                : new HealthCheckResult(context.Registration.FailureStatus, unbounded);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis did not answer PING: {e.Message}", e);
        }
    }

    /// <summary>Why the cache's memory is unbounded, or null when it is bounded or Redis does not say (CONFIG disabled).</summary>
    private async Task<string?> UnboundedMemoryAsync(CancellationToken cancellationToken)
    {
        KeyValuePair<string, string>[] settings;
        try
        {
            var server = redis.GetServers().FirstOrDefault(s => s.IsConnected);
            if (server is null)
            {
                return null;
            }

            settings = await server.ConfigGetAsync("maxmemory*").WaitAsync(cancellationToken);
        }
        catch (RedisServerException)
        {
            // Managed Redis services often rename or disable CONFIG; their memory is bounded by the plan.
            return null;
        }

        var maxMemory = settings.FirstOrDefault(s => s.Key == "maxmemory").Value;
        var policy = settings.FirstOrDefault(s => s.Key == "maxmemory-policy").Value;
        return maxMemory == "0" || policy == "noeviction"
            ? $"Redis bounds no memory (maxmemory {maxMemory}, maxmemory-policy {policy}): every distinct search stays cached until " +
              "its time-to-live ends. Set maxmemory (for example 256mb) and maxmemory-policy allkeys-lru."
            : null;
    }
}
