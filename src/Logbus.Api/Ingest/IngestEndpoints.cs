using System.Diagnostics;
using Logbus.Api.Security;

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
            .AddEndpointFilter<RequireApiKeyFilter>()
            .RequireRateLimiting(IngestRateLimiting.Policy);

        logs.MapPost("/", IngestOneAsync)
            .AddEndpointFilter(bulkheads.Single)
            .WithName("IngestEvent")
            .WithSummary("Ingest one event")
            .WithDescription("A JSON object: message and source required; id (≤ 64 chars, else a UUIDv7), timestamp (ISO-8601, no offset = UTC, default now), level (TRACE…FATAL or aliases, default INFO), metadata (object), traceId, spanId, exception optional. 202 after the event is committed; 400 naming bad fields; 413 over the body limit; 503 with Retry-After while PostgreSQL is unavailable.")
            .Accepts<object>("application/json")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        logs.MapPost("/batch", IngestBatchAsync)
            .AddEndpointFilter(bulkheads.Batch)
            .WithName("IngestBatch")
            .WithSummary("Ingest a batch of events")
            .WithDescription("A JSON array of events. All-or-nothing by default: one bad event and nothing is stored (400 naming each bad field by index). With ?partial=true the valid events are stored and the others reported.")
            .Accepts<object[]>("application/json")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> IngestOneAsync(HttpContext context, IngestRequestReader reader, EventIngestor ingestor, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (events, problem) = await reader.ReadAsync(context, IngestRequestReader.Shape.SingleObject, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (events!.Errors.Count > 0)
        {
            IngestMetrics.Rejected(context, "invalid");
            IngestMetrics.RejectedEvents(context, 1);
            return IngestProblems.InvalidEvent([.. events.Errors.Select(e => e.Error)]);
        }

        var accepted = events.Valid[0].Event;
        await ingestor.IngestOneAsync(accepted, cancellationToken);
        IngestMetrics.Accepted(context, 1, Stopwatch.GetElapsedTime(started));
        return TypedResults.Accepted((string?)null, new { status = "accepted", logId = accepted.Id });
    }

    private static async Task<IResult> IngestBatchAsync(HttpContext context, IngestRequestReader reader, EventIngestor ingestor, bool? partial, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (events, problem) = await reader.ReadAsync(context, IngestRequestReader.Shape.Array, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (events!.Errors.Count > 0 && partial != true)
        {
            IngestMetrics.Rejected(context, "invalid");
            IngestMetrics.RejectedEvents(context, events.Total);
            return IngestProblems.InvalidBatch(events.Errors);
        }

        await ingestor.IngestAsync(events.Events, cancellationToken);
        IngestMetrics.Accepted(context, events.Valid.Count, Stopwatch.GetElapsedTime(started));
        IngestMetrics.RejectedEvents(context, events.RejectedCount);
        var logIds = events.Valid.Select(v => v.Event.Id).ToList();
        return partial == true
            ? TypedResults.Accepted((string?)null, new
            {
                status = "accepted",
                accepted = logIds.Count,
                logIds,
                rejected = events.Errors.GroupBy(e => e.Index).Select(g => new
                {
                    index = g.Key,
                    reason = string.Join("; ", g.Select(e => $"{e.Error.Field} {e.Error.Reason}")),
                }),
            })
            : TypedResults.Accepted((string?)null, new { status = "accepted", accepted = logIds.Count, logIds });
    }
}
