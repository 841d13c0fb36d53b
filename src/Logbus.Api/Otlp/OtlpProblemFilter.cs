using Logbus.Api.Otlp.Wire;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Api.Otlp;

/// <summary>
/// Turns the ProblemDetails the ingest filters and pipeline answer with (401, 400, 413, 415, 503 with Retry-After) into
/// OTLP's own error answers, keeping the status and headers: a <c>google.rpc.Status</c> body for OTLP/HTTP, a gRPC
/// status for OTLP/gRPC (429 and 503 as UNAVAILABLE, which OTLP exporters retry). As route metadata, it does the same
/// for the refusals of the API-key check, which answers before any filter runs.
/// </summary>
internal sealed class OtlpProblemFilter(bool grpc) : IEndpointFilter, IKeyRefusalFormat
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        return result is ProblemHttpResult problem ? Format(context.HttpContext, problem) : result;
    }

    public IResult Format(HttpContext context, ProblemHttpResult problem)
    {
        var message = problem.ProblemDetails.Detail is { Length: > 0 } detail
            ? $"{problem.ProblemDetails.Title} {detail}"
            : problem.ProblemDetails.Title ?? "The request was refused.";
        var code = CodeFor(problem.StatusCode);
        return grpc
            ? GrpcAnswer.Error(code, message)
            : new OtlpMessageResult(new Status { Code = (int)code, Message = message }, problem.StatusCode,
                OtlpMessageResult.IsJson(context.Request));
    }

    private static GrpcStatus CodeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => GrpcStatus.Unauthenticated,
        StatusCodes.Status403Forbidden => GrpcStatus.PermissionDenied,
        StatusCodes.Status413PayloadTooLarge => GrpcStatus.ResourceExhausted,
        StatusCodes.Status429TooManyRequests or StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable
            or StatusCodes.Status504GatewayTimeout => GrpcStatus.Unavailable,
        < 500 => GrpcStatus.InvalidArgument,
        _ => GrpcStatus.Internal,
    };
}
