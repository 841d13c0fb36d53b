using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Logbus.ServiceDefaults.Resilience;

/// <summary>Turns <see cref="DependencyUnavailableException"/> into 503 ProblemDetails with a <c>Retry-After</c> header.</summary>
public sealed class DependencyUnavailableHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken) =>
        exception is DependencyUnavailableException unavailable
        && await RetryAfterProblem.WriteAsync(problemDetails, httpContext, exception, unavailable.RetryAfter,
            $"{unavailable.Dependency} is unavailable",
            seconds => $"Logbus cannot reach {unavailable.Dependency} right now. Nothing was changed; retry after {seconds} s.",
            new Dictionary<string, object?> { ["dependency"] = unavailable.Dependency });
}
