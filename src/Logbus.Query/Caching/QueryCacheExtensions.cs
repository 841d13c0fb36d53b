using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Logbus.ServiceDefaults.Resilience;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Logbus.Query.Caching;

internal static class QueryCacheExtensions
{
    /// <summary>
    /// Redis for cache-aside, wrapped so that Redis being away costs at most a short timeout, and HybridCache on top.
    /// The Query service answers from PostgreSQL while Redis is away, so Redis only degrades its readiness.
    /// </summary>
    public static IHostApplicationBuilder AddQueryCache(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CacheOptions>(CacheOptions.Section);
        ResilientDistributedCache.StartAtZero();
        builder.Services.AddCircuitBreaker(ResilientDistributedCache.Dependency, ResilientDistributedCache.IsOutage,
            sp => ResilientDistributedCache.BreakerSettings(sp.GetRequiredService<IOptions<CacheOptions>>().Value));
        var redisOptions = ConfigurationOptions.Parse(builder.Configuration.GetRedisConnectionString());
        // Start even when Redis is down, and keep reconnecting in the background.
        redisOptions.AbortOnConnectFail = false;
        redisOptions.ConnectTimeout = 2000;
        redisOptions.ConnectRetry = 1;
        // Fail commands at once while disconnected. The default backlog would queue a cache write made during an
        // outage and run it after Redis returns, planting an answer computed long before.
        redisOptions.BacklogPolicy = BacklogPolicy.FailFast;
        // The readiness check reads the server's memory bound with CONFIG GET, an admin command to this client.
        redisOptions.AllowAdmin = true;
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redisOptions));
        builder.Services.AddSingleton<IDistributedCache>(sp =>
        {
            var multiplexer = sp.GetRequiredService<IConnectionMultiplexer>();
            var redis = new RedisCache(Options.Create(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(multiplexer),
            }));
            return new ResilientDistributedCache(redis, sp.GetRequiredService<IOptions<CacheOptions>>().Value,
                sp.GetRequiredKeyedService<DependencyCircuitBreaker>(ResilientDistributedCache.Dependency));
        });
        builder.Services.AddHybridCache(options =>
        {
            // A 1,000-event page with long messages is larger than HybridCache's 1 MB default.
            options.MaximumPayloadBytes = 16 * 1024 * 1024;
        });
        builder.Services.AddSingleton<QueryCache>();
        builder.Services.AddHealthChecks().AddReadinessCheck<RedisHealthCheck>("redis", HealthStatus.Degraded);
        return builder;
    }
}
