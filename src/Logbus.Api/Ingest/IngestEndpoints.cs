using System.Diagnostics;
using Logbus.Api.Ingest.Decoding;
using Logbus.Api.Security;
using Logbus.ServiceDefaults.Security;

namespace Logbus.Api.Ingest;

/// <summary>
/// <c>POST /api/logs</c> (one event) and <c>POST /api/logs/batch</c> (a JSON array): 202 once committed.
/// </summary>
internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder endpoints, IngestBulkheads bulkheads)
    {
        var logs = endpoints.MapGroup("/api/logs")
            .WithTags("Ingest")
            .RequireKeyScope(KeyScopes.Ingest)
            .RequireRateLimiting(IngestRateLimiting.Policy);

        logs.MapPost("/", IngestOneAsync)
            .AddEndpointFilter(bulkheads.Single)
            .AddEndpointFilter(AcceptedContentTypes.JsonBody)
            .WithName("IngestEvent")
            .WithSummary("Ingest one event")
            .WithDescription("A JSON object (Content-Type application/json or a +json type, else 415): message and source required; " +
                "id (≤ 64 chars, else a UUIDv7), timestamp (ISO-8601, no offset = UTC, default now), level (TRACE…FATAL or aliases, " +
                "default INFO), metadata (object), traceId, spanId, exception optional. " +
                "202 after the event is committed; 400 naming bad fields; 413 over the body limit; " +
                "503 with Retry-After while PostgreSQL is unavailable.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        logs.MapPost("/batch", IngestBatchAsync)
            .AddEndpointFilter(bulkheads.Batch)
            .AddEndpointFilter(AcceptedContentTypes.JsonBody)
            .WithName("IngestBatch")
            .WithSummary("Ingest a batch of events")
            .WithDescription("A JSON array of events (Content-Type application/json or a +json type, else 415). All-or-nothing by default: " +
                "one bad event and nothing is stored (400 naming each bad field by index). With ?partial=true the valid events are stored " +
                "and the others reported.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> IngestOneAsync(HttpContext context, IngestPipeline pipeline, CancellationToken cancellationToken) =>
        await pipeline.RunAsync(context, JsonEventDecoder.SingleObject, IngestMode.SingleEvent, cancellationToken) switch
        {
            IngestOutcome.Unreadable unreadable => unreadable.Problem,
            IngestOutcome.Invalid invalid => IngestProblems.InvalidEvent([.. invalid.Events.Errors.Select(e => e.Error)]),
            IngestOutcome.Stored stored => TypedResults.Accepted((string?)null, new { status = "accepted", logId = stored.Events.Valid[0].Event.Id }),
            _ => throw new UnreachableException(),
        };

    private static async Task<IResult> IngestBatchAsync(HttpContext context, IngestPipeline pipeline, bool? partial,
        CancellationToken cancellationToken) =>
        await pipeline.RunAsync(context, JsonEventDecoder.Array, partial == true ? IngestMode.StoreValid : IngestMode.AllOrNothing,
            cancellationToken) switch
        {
            IngestOutcome.Unreadable unreadable => unreadable.Problem,
            IngestOutcome.Invalid invalid => IngestProblems.InvalidBatch(invalid.Events.Errors),
            IngestOutcome.Stored { Events: var events } when partial == true => TypedResults.Accepted((string?)null, new
            {
                status = "accepted",
                accepted = events.Valid.Count,
                logIds = events.Valid.Select(v => v.Event.Id),
                rejected = events.Errors.GroupBy(e => e.Index).Select(g => new
                {
                    index = g.Key,
                    reason = string.Join("; ", g.Select(e => $"{e.Error.Field} {e.Error.Reason}")),
                }),
            }),
            IngestOutcome.Stored { Events: var events } =>
                TypedResults.Accepted((string?)null,
                    new { status = "accepted", accepted = events.Valid.Count, logIds = events.Valid.Select(v => v.Event.Id) }),
            _ => throw new UnreachableException(),
        };
}
