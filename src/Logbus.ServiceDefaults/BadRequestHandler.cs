using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Logbus.ServiceDefaults;

/// <summary>
/// Answers a request ASP.NET Core could not bind (<c>?partial=maybe</c>, <c>?limit=abc</c>, a body over its limit) with
/// the status it carries and a ProblemDetails naming the parameter, in every environment: never a 500, and never a bare
/// status page that leaves the client guessing which value was wrong.
/// </summary>
public sealed class BadRequestHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
                Detail = $"{badRequest.Message} Nothing was changed; correct the value and send it again.",
            },
        });
    }
}
