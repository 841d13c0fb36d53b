using System.Buffers.Binary;
using Google.Protobuf;

namespace Logbus.Api.Otlp;

/// <summary>
/// The answer to a unary gRPC call: HTTP 200 with the length-prefixed message and <c>grpc-status: 0</c> in the
/// trailers, or a trailers-only answer (status in the headers, no body) for an error.
/// </summary>
internal sealed class GrpcAnswer : IResult
{
    public const string ContentType = "application/grpc";

    private readonly IMessage? _message;
    private readonly GrpcStatus _status;
    private readonly string? _detail;

    private GrpcAnswer(IMessage? message, GrpcStatus status, string? detail)
    {
        _message = message;
        _status = status;
        _detail = detail;
    }

    public static GrpcAnswer Ok(IMessage message) => new(message, GrpcStatus.Ok, null);

    public static GrpcAnswer Error(GrpcStatus status, string detail) => new(null, status, detail);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        if (_message is null)
        {
            response.Headers["grpc-status"] = ((int)_status).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = Uri.EscapeDataString(_detail ?? "");
            return;
        }

        var bytes = _message.ToByteArray();
        var frame = new byte[5 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)bytes.Length);
        bytes.CopyTo(frame.AsSpan(5));
        await response.Body.WriteAsync(frame, httpContext.RequestAborted);
        response.AppendTrailer("grpc-status", "0");
    }
}

/// <summary>The gRPC status codes Logbus answers with.</summary>
internal enum GrpcStatus
{
    Ok = 0,
    InvalidArgument = 3,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    Internal = 13,
    Unavailable = 14,
    Unauthenticated = 16,
}
