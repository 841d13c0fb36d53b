using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Logbus.ServiceDefaults.Resilience;

/// <summary>
/// The answer of a rate limiter's refusal: 429 ProblemDetails with <c>Retry-After</c> in whole seconds (at least 1), taken
/// from the limiter's lease when it says when a permit comes back.
/// </summary>
public static class RateLimitRejection
{
    public static Task WriteAsync(OnRejectedContext context, Func<int, string> detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(detail);
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail(seconds), statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests")
            .ExecuteAsync(context.HttpContext);
    }
}
