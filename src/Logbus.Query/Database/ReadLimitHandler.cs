using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Logbus.Query.Database;

/// <summary>Answers a <see cref="ReadLimitException"/> with a 503 ProblemDetails and <c>Retry-After</c>.</summary>
internal sealed class ReadLimitHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ReadLimitException limit)
        {
            return false;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(limit.RetryAfter.TotalSeconds));
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = limit.Title,
                Detail = limit.Message,
                Extensions = { ["retryAfterSeconds"] = seconds },
            },
        });
    }
}
