using System.Diagnostics;
using Logbus.Api.Security;

namespace Logbus.Api.Ingest;

/// <summary>
/// The seed tutorial's producer routes with its answers: <c>/ingest</c> (200), <c>/ingest/async</c> (202) and
/// <c>/batch</c> (200 with success and failure counts: the valid events are stored, the invalid ones counted).
/// Unlike the seed, every answer comes after the events are committed.
/// </summary>
internal static class SeedIngestEndpoints
{
    public static IEndpointRouteBuilder MapSeedIngestApi(this IEndpointRouteBuilder endpoints, IngestBulkheads bulkheads)
    {
        var producer = endpoints.MapGroup("/producer/api/logs")
            .WithTags("Seed producer")
            .AddEndpointFilter<RequireApiKeyFilter>()
            .RequireRateLimiting(IngestRateLimiting.Policy);
        producer.MapPost("/ingest", (HttpContext c, IngestRequestReader r, EventIngestor i, CancellationToken t) =>
                IngestOneAsync(c, r, i, StatusCodes.Status200OK, "Log event successfully ingested", t))
            .AddEndpointFilter(bulkheads.Single)
            .WithName("SeedIngest")
            .WithSummary("Ingest one event (seed)");
        producer.MapPost("/ingest/async", (HttpContext c, IngestRequestReader r, EventIngestor i, CancellationToken t) =>
                IngestOneAsync(c, r, i, StatusCodes.Status202Accepted, "Log event queued for processing", t))
            .AddEndpointFilter(bulkheads.Single)
            .WithName("SeedIngestAsync")
            .WithSummary("Ingest one event (seed, async)");
        producer.MapPost("/batch", BatchAsync)
            .AddEndpointFilter(bulkheads.Batch)
            .WithName("SeedBatch")
            .WithSummary("Ingest a batch (seed): valid events stored, invalid ones counted as failures");
        return endpoints;
    }

    private static async Task<IResult> IngestOneAsync(HttpContext context, IngestRequestReader reader, EventIngestor ingestor, int status, string message, CancellationToken cancellationToken)
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
        return TypedResults.Json(new { status = "accepted", logId = accepted.Id, message }, statusCode: status);
    }

    private static async Task<IResult> BatchAsync(HttpContext context, IngestRequestReader reader, EventIngestor ingestor, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (events, problem) = await reader.ReadAsync(context, IngestRequestReader.Shape.Array, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await ingestor.IngestAsync(events!.Events, cancellationToken);
        IngestMetrics.Accepted(context, events.Valid.Count, Stopwatch.GetElapsedTime(started));
        IngestMetrics.RejectedEvents(context, events.RejectedCount);
        return TypedResults.Ok(new
        {
            status = "completed",
            totalEvents = events.Total,
            successCount = events.Valid.Count,
            failureCount = events.RejectedCount,
        });
    }
}
