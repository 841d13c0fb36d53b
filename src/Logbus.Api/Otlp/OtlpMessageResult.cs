using Google.Protobuf;

namespace Logbus.Api.Otlp;

/// <summary>An OTLP/HTTP answer: the message in the encoding the request came in (protobuf or OTLP/JSON).</summary>
internal sealed class OtlpMessageResult(IMessage message, int statusCode, bool json) : IResult
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        if (json)
        {
            httpContext.Response.ContentType = Json;
            await httpContext.Response.WriteAsync(JsonFormatter.Default.Format(message), httpContext.RequestAborted);
            return;
        }

        httpContext.Response.ContentType = Protobuf;
        await httpContext.Response.Body.WriteAsync(message.ToByteArray(), httpContext.RequestAborted);
    }

    /// <summary>OTLP/JSON when the request said so; protobuf otherwise, OTLP/HTTP's default.</summary>
    public static bool IsJson(HttpRequest request) =>
        request.ContentType?.StartsWith(Json, StringComparison.OrdinalIgnoreCase) ?? false;

    public static bool IsProtobuf(HttpRequest request) =>
        request.ContentType?.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase) ?? false;
}
