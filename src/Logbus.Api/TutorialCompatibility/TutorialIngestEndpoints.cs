using System.Diagnostics;
using Logbus.Api.Ingest;
using Logbus.Api.Ingest.Decoding;
using Logbus.Api.Security;
using Logbus.ServiceDefaults.Security;

namespace Logbus.Api.TutorialCompatibility;

/// <summary>
/// The tutorial's producer routes with its answers: <c>/ingest</c> (200), <c>/ingest/async</c> (202) and
/// <c>/batch</c> (200 with success and failure counts: the valid events are stored, the invalid ones counted).
/// Unlike the tutorial, every answer comes after the events are committed.
/// </summary>
internal static class TutorialIngestEndpoints
{
    public static IEndpointRouteBuilder MapTutorialIngestApi(this IEndpointRouteBuilder endpoints, IngestBulkheads bulkheads)
    {
        var producer = endpoints.MapGroup("/producer/api/logs")
            .WithTags("Tutorial producer")
            .RequireKeyScope(KeyScopes.Ingest)
            .RequireRateLimiting(IngestRateLimiting.Policy);
        producer.MapPost("/ingest", (HttpContext c, IngestPipeline p, CancellationToken t) =>
                IngestOneAsync(c, p, StatusCodes.Status200OK, "Log event successfully ingested", t))
            .AddEndpointFilter(bulkheads.Single)
            .AddEndpointFilter(AcceptedContentTypes.JsonBody)
            .WithName("TutorialIngest")
            .WithSummary("Ingest one event (tutorial)");
        producer.MapPost("/ingest/async", (HttpContext c, IngestPipeline p, CancellationToken t) =>
                IngestOneAsync(c, p, StatusCodes.Status202Accepted, "Log event queued for processing", t))
            .AddEndpointFilter(bulkheads.Single)
            .AddEndpointFilter(AcceptedContentTypes.JsonBody)
            .WithName("TutorialIngestAsync")
            .WithSummary("Ingest one event (tutorial, async)");
        producer.MapPost("/batch", BatchAsync)
            .AddEndpointFilter(bulkheads.Batch)
            .AddEndpointFilter(AcceptedContentTypes.JsonBody)
            .WithName("TutorialBatch")
            .WithSummary("Ingest a batch (tutorial): valid events stored, invalid ones counted as failures");
        return endpoints;
    }

    private static async Task<IResult> IngestOneAsync(HttpContext context, IngestPipeline pipeline, int status, string message,
        CancellationToken cancellationToken) =>
        await pipeline.RunAsync(context, JsonEventDecoder.SingleObject, IngestMode.SingleEvent, cancellationToken) switch
        {
            IngestOutcome.Unreadable unreadable => unreadable.Problem,
            IngestOutcome.Invalid invalid => IngestProblems.InvalidEvent([.. invalid.Events.Errors.Select(e => e.Error)]),
            IngestOutcome.Stored stored => TypedResults.Json(new { status = "accepted", logId = stored.Events.Valid[0].Event.Id, message },
                statusCode: status),
            _ => throw new UnreachableException(),
        };

    private static async Task<IResult> BatchAsync(HttpContext context, IngestPipeline pipeline, CancellationToken cancellationToken) =>
        await pipeline.RunAsync(context, JsonEventDecoder.Array, IngestMode.StoreValid, cancellationToken) switch
        {
            IngestOutcome.Unreadable unreadable => unreadable.Problem,
            IngestOutcome.Stored { Events: var events } => TypedResults.Ok(new
            {
                status = "completed",
                totalEvents = events.Total,
                successCount = events.Valid.Count,
                failureCount = events.RejectedCount,
            }),
            _ => throw new UnreachableException(),
        };
}
