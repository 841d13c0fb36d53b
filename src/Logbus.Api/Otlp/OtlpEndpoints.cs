using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Logbus.Api.Ingest;
using Logbus.Api.Ingest.Decoding;
using Logbus.Api.Otlp.Wire;
using Logbus.Api.Security;
using Logbus.ServiceDefaults.Security;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Otlp;

/// <summary>
/// OpenTelemetry's logs export, so any OpenTelemetry SDK or the Collector ships to Logbus unchanged: OTLP/HTTP at
/// <c>POST /v1/logs</c> (and Seq's <c>POST /ingest/otlp/v1/logs</c>), protobuf or JSON, and OTLP/gRPC's
/// <c>LogsService/Export</c> over HTTP/2. A record that fails validation is reported in <c>partial_success</c> and
/// does not fail its batch; an undecodable body gets 400 with a <c>google.rpc.Status</c>.
/// </summary>
internal static class OtlpEndpoints
{
    public const string GrpcExportPath = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

    /// <summary>How many rejected records <c>partial_success.error_message</c> names; the count covers all.</summary>
    private const int RejectionsNamed = 10;

    public static IEndpointRouteBuilder MapOtlpIngestApi(this IEndpointRouteBuilder endpoints, IngestBulkheads bulkheads)
    {
        var httpProblems = new OtlpProblemFilter(grpc: false);
        var http = endpoints.MapGroup("")
            .WithTags("OpenTelemetry")
            .WithMetadata(httpProblems)
            .AddEndpointFilter(httpProblems)
            .RequireKeyScope(KeyScopes.Ingest)
            .AddEndpointFilter(bulkheads.Otlp)
            .RequireRateLimiting(IngestRateLimiting.Policy);
        foreach (var (path, name) in new[] { ("/v1/logs", "OtlpLogs"), ("/ingest/otlp/v1/logs", "SeqOtlpLogs") })
        {
            http.MapPost(path, ExportHttpAsync)
                .WithName(name)
                .WithSummary("OTLP/HTTP logs export (protobuf or JSON)")
                .WithDescription("An OTLP ExportLogsServiceRequest, application/x-protobuf or application/json (OTLP/JSON), optionally " +
                    "gzip. 200 with an ExportLogsServiceResponse whose partial_success counts the records refused and why; 400 with a " +
                    "google.rpc.Status for an undecodable body; 413 over Ingest:MaxBodyBytes; 429/503 with Retry-After.")
                .Accepts<byte[]>(OtlpMessageResult.Protobuf, OtlpMessageResult.Json)
                .Produces<byte[]>(StatusCodes.Status200OK, OtlpMessageResult.Protobuf, OtlpMessageResult.Json)
                .Produces<byte[]>(StatusCodes.Status400BadRequest, OtlpMessageResult.Protobuf, OtlpMessageResult.Json)
                .ProducesProblem(StatusCodes.Status429TooManyRequests)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        }

        var grpcProblems = new OtlpProblemFilter(grpc: true);
        endpoints.MapGroup("")
            .WithTags("OpenTelemetry")
            .WithMetadata(grpcProblems)
            .AddEndpointFilter(grpcProblems)
            .RequireKeyScope(KeyScopes.Ingest)
            .AddEndpointFilter(bulkheads.Otlp)
            .RequireRateLimiting(IngestRateLimiting.Policy)
            .MapPost(GrpcExportPath, ExportGrpcAsync)
            .WithName("OtlpGrpcLogs")
            .WithSummary("OTLP/gRPC logs export")
            .WithDescription("opentelemetry.proto.collector.logs.v1.LogsService/Export over HTTP/2 (the Otlp:GrpcUrl port). Answers as " +
                "the HTTP route does, in gRPC status codes: INVALID_ARGUMENT for an undecodable request, UNAVAILABLE to retry.")
            .Accepts<byte[]>(GrpcAnswer.ContentType)
            .Produces<byte[]>(StatusCodes.Status200OK, GrpcAnswer.ContentType);
        return endpoints;
    }

    private static async Task<IResult> ExportHttpAsync(HttpContext context, IngestPipeline pipeline, OtlpProtobufDecoder protobuf,
        OtlpJsonDecoder json, CancellationToken cancellationToken)
    {
        var isJson = OtlpMessageResult.IsJson(context.Request);
        if (!isJson && !OtlpMessageResult.IsProtobuf(context.Request))
        {
            return TypedResults.Problem(
                $"Send Content-Type: {OtlpMessageResult.Protobuf} or {OtlpMessageResult.Json}, not '{context.Request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Content-Type");
        }

        return await pipeline.RunAsync(context, isJson ? json : protobuf, IngestMode.StoreValid, cancellationToken) switch
        {
            IngestOutcome.Unreadable unreadable => unreadable.Problem,
            IngestOutcome.Stored stored => new OtlpMessageResult(ResponseFor(stored.Events), StatusCodes.Status200OK, isJson),
            _ => throw new UnreachableException(),
        };
    }

    private static async Task<IResult> ExportGrpcAsync(HttpContext context, IngestPipeline pipeline, OtlpProtobufDecoder protobuf,
        IOptions<IngestOptions> ingest, CancellationToken cancellationToken)
    {
        if (context.Request.Protocol != HttpProtocol.Http2)
        {
            return TypedResults.Problem("OTLP/gRPC needs HTTP/2: send it to the Otlp:GrpcUrl address.",
                statusCode: StatusCodes.Status400BadRequest, title: "gRPC over HTTP/1.1");
        }

        IEventDecoder decoder = new OtlpGrpcDecoder(protobuf, context.Request.Headers["grpc-encoding"].FirstOrDefault(), ingest.Value.MaxBodyBytes);
        return await pipeline.RunAsync(context, decoder, IngestMode.StoreValid, cancellationToken) switch
        {
            IngestOutcome.Unreadable unreadable => unreadable.Problem,
            IngestOutcome.Stored stored => GrpcAnswer.Ok(ResponseFor(stored.Events)),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>Empty when every record was stored; else <c>partial_success</c> with the count and the first reasons.</summary>
    private static ExportLogsServiceResponse ResponseFor(ParsedEvents events)
    {
        var response = new ExportLogsServiceResponse();
        if (events.RejectedCount == 0)
        {
            return response;
        }

        var reasons = events.Errors.GroupBy(e => e.Index).Take(RejectionsNamed)
            .Select(g => string.Create(CultureInfo.InvariantCulture,
                $"record {g.Key}: {string.Join("; ", g.Select(e => $"{e.Error.Field} {e.Error.Reason}"))}"));
        response.PartialSuccess = new ExportLogsPartialSuccess
        {
            RejectedLogRecords = events.RejectedCount,
            ErrorMessage = $"{events.RejectedCount} of {events.Total} log records were refused (records counted in request order): " +
                string.Join(" | ", reasons),
        };
        return response;
    }
}
