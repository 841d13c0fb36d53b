using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Logbus.Query.Database;

/// <summary>
/// Answers a search PostgreSQL cut off with a 503 (with <c>Retry-After</c>) that says how to ask for less: the same
/// search may well succeed when PostgreSQL is less busy, and a narrower one will.
/// </summary>
internal sealed class SearchTimedOutHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not SearchTimedOutException timedOut)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        var seconds = Math.Max(1, (int)Math.Ceiling(timedOut.Timeout.TotalSeconds));
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The search took too long",
                Detail = $"PostgreSQL stopped the search after {timedOut.Timeout.TotalSeconds:0.#} s "
                    + $"({SearchLimitsOptions.Section}:StatementTimeout). Narrow it: a shorter time window (from/to, hoursBack), "
                    + "a level or source, fewer or longer words in q; or try again when the service is less busy.",
            },
        });
    }
}
