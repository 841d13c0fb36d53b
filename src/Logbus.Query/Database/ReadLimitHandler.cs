using Logbus.ServiceDefaults.Resilience;
using Microsoft.AspNetCore.Diagnostics;

namespace Logbus.Query.Database;

/// <summary>Answers a <see cref="ReadLimitException"/> with a 503 ProblemDetails and <c>Retry-After</c>.</summary>
internal sealed class ReadLimitHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken) =>
        exception is ReadLimitException limit
        && await RetryAfterProblem.WriteAsync(problems, httpContext, exception, limit.RetryAfter, limit.Title, _ => limit.Message);
}
