using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Logbus.ServiceDefaults.Resilience;

/// <summary>Turns <see cref="DependencyUnavailableException"/> into 503 ProblemDetails with a <c>Retry-After</c> header.</summary>
public sealed class DependencyUnavailableHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not DependencyUnavailableException unavailable)
        {
            return false;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds));
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = $"{unavailable.Dependency} is unavailable",
                Detail = $"Logbus cannot reach {unavailable.Dependency} right now. Nothing was changed; retry after {seconds} s.",
                Extensions = { ["dependency"] = unavailable.Dependency, ["retryAfterSeconds"] = seconds },
            },
        });
    }
}
