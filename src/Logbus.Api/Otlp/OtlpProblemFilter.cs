using Logbus.Api.Otlp.Wire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Api.Otlp;

/// <summary>
/// Turns the ProblemDetails the ingest filters and pipeline answer with (401, 400, 413, 415, 503 with Retry-After) into
/// OTLP's own error answers, keeping the status and headers: a <c>google.rpc.Status</c> body for OTLP/HTTP, a gRPC
/// status for OTLP/gRPC (429 and 503 as UNAVAILABLE, which OTLP exporters retry).
/// </summary>
internal sealed class OtlpProblemFilter(bool grpc) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (result is not ProblemHttpResult problem)
        {
            return result;
        }

        var message = problem.ProblemDetails.Detail is { Length: > 0 } detail
            ? $"{problem.ProblemDetails.Title} {detail}"
            : problem.ProblemDetails.Title ?? "The request was refused.";
        var code = CodeFor(problem.StatusCode);
        return grpc
            ? GrpcAnswer.Error(code, message)
            : new OtlpMessageResult(new Status { Code = (int)code, Message = message }, problem.StatusCode,
                OtlpMessageResult.IsJson(context.HttpContext.Request));
    }

    private static GrpcStatus CodeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => GrpcStatus.Unauthenticated,
        StatusCodes.Status413PayloadTooLarge => GrpcStatus.ResourceExhausted,
        StatusCodes.Status429TooManyRequests or StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable
            or StatusCodes.Status504GatewayTimeout => GrpcStatus.Unavailable,
        < 500 => GrpcStatus.InvalidArgument,
        _ => GrpcStatus.Internal,
    };
}
