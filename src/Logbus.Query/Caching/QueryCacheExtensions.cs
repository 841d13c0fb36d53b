using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Logbus.Query.Caching;

internal static class QueryCacheExtensions
{
    /// <summary>
    /// Redis for cache-aside. The Query service answers from PostgreSQL while Redis is away, so Redis only degrades it.
    /// </summary>
    public static IHostApplicationBuilder AddQueryCache(this IHostApplicationBuilder builder)
    {
        var options = ConfigurationOptions.Parse(builder.Configuration.GetRedisConnectionString());
        // Start even when Redis is down, and keep reconnecting in the background.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddRedis(HealthStatus.Degraded);
        return builder;
    }
}
