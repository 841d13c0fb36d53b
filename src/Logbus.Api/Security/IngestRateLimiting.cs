using System.Globalization;
using System.Threading.RateLimiting;
using Logbus.Api.Ingest;
using Logbus.ServiceDefaults.Resilience;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.RateLimiting;

namespace Logbus.Api.Security;

internal static class IngestRateLimiting
{
    public const string Policy = "ingest";

    /// <summary>
    /// A request with an API key that has a rate is limited per key; any other request per client IP address (when
    /// <see cref="ApiKeyOptions.AnonymousRequestsPerSecond"/> is set). Over the limit: 429 with Retry-After.
    /// </summary>
    public static IServiceCollection AddIngestRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                IngestMetrics.Rejected(context.HttpContext, "rate_limited");
                return new ValueTask(RateLimitRejection.WriteAsync(context, retryAfter =>
                    $"This client sends faster than its limit allows; retry after {retryAfter} s, or spread requests out (batches carry up to " +
                        "thousands of events per request)."));
            };
            options.AddPolicy(Policy, context =>
            {
                var keys = context.RequestServices.GetRequiredService<ApiKeys>();
                var identity = keys.Identify(context, out _);
                if (identity is { RequestsPerSecond: > 0 })
                {
                    return Bucket(RequestKey.Client(context, identity), identity.RequestsPerSecond);
                }

                return keys.AnonymousRequestsPerSecond > 0
                    ? Bucket(RequestKey.Client(context, null), keys.AnonymousRequestsPerSecond)
                    : RateLimitPartition.GetNoLimiter("unlimited");
            });
        });
        return services;
    }

    private static RateLimitPartition<string> Bucket(string partition, int perSecond) =>
        RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            // A second's worth of burst, refilled every 100 ms.
            TokenLimit = perSecond,
            TokensPerPeriod = Math.Max(1, perSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
