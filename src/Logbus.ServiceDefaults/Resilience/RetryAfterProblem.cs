using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Logbus.ServiceDefaults.Resilience;

/// <summary>
/// A 503 ProblemDetails with <c>Retry-After</c> in whole seconds (at least 1), also given as <c>retryAfterSeconds</c>:
/// the answer to anything that clears by itself, an outage or a limit.
/// </summary>
public static class RetryAfterProblem
{
    public static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext httpContext, Exception exception, TimeSpan retryAfter,
        string title, Func<int, string> detail, IDictionary<string, object?>? extensions = null)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = title,
            Detail = detail(seconds),
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        problem.Extensions["retryAfterSeconds"] = seconds;
        return problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = problem });
    }
}
