using System.Globalization;
using System.Threading.RateLimiting;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Resilience;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Security;

/// <summary>
/// Query's read routes are limited per API key (a key's own <c>RequestsPerSecond</c>, else
/// <see cref="ReadRateLimitOptions.RequestsPerSecond"/>), or per client IP address without one. Over the limit: 429 with
/// Retry-After.
/// </summary>
internal static class ReadRateLimiting
{
    public const string Policy = "read";

    public static IServiceCollection AddReadRateLimiting(this IServiceCollection services)
    {
        services.AddValidatedOptions<ReadRateLimitOptions>(ReadRateLimitOptions.Section);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => new ValueTask(RateLimitRejection.WriteAsync(context, retryAfter =>
                $"This client queries faster than its limit allows ({ReadRateLimitOptions.Section}:" +
                    $"{nameof(ReadRateLimitOptions.RequestsPerSecond)}, or its key's RequestsPerSecond); retry after {retryAfter} s."));
            options.AddPolicy(Policy, context =>
            {
                var perSecond = context.RequestServices.GetRequiredService<IOptionsMonitor<ReadRateLimitOptions>>().CurrentValue.RequestsPerSecond;
                var key = RequestKey.Of(context);
                var partition = RequestKey.Client(context, key);
                var rate = key is { RequestsPerSecond: > 0 } ? key.RequestsPerSecond : perSecond;
                return rate <= 0
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(partition + "/" + rate.ToString(CultureInfo.InvariantCulture), _ =>
                        new TokenBucketRateLimiterOptions
                        {
                            // A second's worth of burst, refilled every 100 ms.
                            TokenLimit = rate,
                            TokensPerPeriod = Math.Max(1, rate / 10),
                            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        });
            });
        });
        return services;
    }
}
