using System.Diagnostics;
using Logbus.Api.Ingest;
using Logbus.Api.Security;

namespace Logbus.Api.Seq;

/// <summary>
/// Seq's ingestion API, so applications using Serilog.Sinks.Seq (or seq-logging, seqcli) ship to Logbus unchanged:
/// <c>POST /api/events/raw</c> takes CLEF (with <c>?clef</c> or <c>Content-Type: application/vnd.serilog.clef</c>)
/// or the classic <c>{"Events":[…]}</c> JSON; <c>POST /ingest/clef</c> takes CLEF. Answers as Seq does: 201 with
/// <c>{"MinimumLevelAccepted":null}</c>, also for an empty body. A batch is all-or-nothing.
/// </summary>
internal static class SeqEndpoints
{
    public const string ClefContentType = "application/vnd.serilog.clef";

    public static IEndpointRouteBuilder MapSeqIngestApi(this IEndpointRouteBuilder endpoints, IngestBulkheads bulkheads)
    {
        var seq = endpoints.MapGroup("")
            .WithTags("Seq")
            .AddEndpointFilter<RequireApiKeyFilter>()
            .AddEndpointFilter(bulkheads.Seq)
            .RequireRateLimiting(IngestRateLimiting.Policy);
        seq.MapPost("/api/events/raw", (HttpContext context, IngestRequestReader reader, EventIngestor ingestor, CancellationToken cancellationToken) =>
                IngestAsync(context, reader, ingestor, IsClef(context.Request) ? IngestRequestReader.Shape.Clef : IngestRequestReader.Shape.SeqClassic, cancellationToken))
            .WithName("SeqRawEvents")
            .WithSummary("Seq-compatible ingestion (CLEF or classic JSON)");
        seq.MapPost("/ingest/clef", (HttpContext context, IngestRequestReader reader, EventIngestor ingestor, CancellationToken cancellationToken) =>
                IngestAsync(context, reader, ingestor, IngestRequestReader.Shape.Clef, cancellationToken))
            .WithName("SeqClef")
            .WithSummary("Seq-compatible CLEF ingestion");
        return endpoints;
    }

    private static async Task<IResult> IngestAsync(HttpContext context, IngestRequestReader reader, EventIngestor ingestor, IngestRequestReader.Shape shape, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (context.Request.ContentLength == 0)
        {
            return Accepted();
        }

        var (events, problem) = await reader.ReadAsync(context, shape, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (events!.Errors.Count > 0)
        {
            IngestMetrics.Rejected(context, "invalid");
            IngestMetrics.RejectedEvents(context, events.Total);
            return IngestProblems.InvalidBatch(events.Errors);
        }

        await ingestor.IngestAsync(events.Events, cancellationToken);
        IngestMetrics.Accepted(context, events.Valid.Count, Stopwatch.GetElapsedTime(started));
        return Accepted();
    }

    // Written as is: Seq clients look for this exact, PascalCase, name.
    private static IResult Accepted() =>
        TypedResults.Content("{\"MinimumLevelAccepted\":null}", "application/json", statusCode: StatusCodes.Status201Created);

    private static bool IsClef(HttpRequest request) =>
        request.Query.ContainsKey("clef")
        || (request.ContentType?.StartsWith(ClefContentType, StringComparison.OrdinalIgnoreCase) ?? false);
}
