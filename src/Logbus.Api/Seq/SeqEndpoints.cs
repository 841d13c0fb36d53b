using System.Diagnostics;
using Logbus.Api.Ingest;
using Logbus.Api.Ingest.Decoding;
using Logbus.Api.Security;
using Logbus.ServiceDefaults.Security;

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
            .RequireKeyScope(KeyScopes.Ingest)
            .AddEndpointFilter(bulkheads.Seq)
            .RequireRateLimiting(IngestRateLimiting.Policy);
        seq.MapPost("/api/events/raw", (HttpContext context, IngestPipeline pipeline, ClefDecoder clef, SeqJsonDecoder json,
            CancellationToken cancellationToken) =>
                IngestAsync(context, pipeline, IsClef(context.Request) ? clef : json, cancellationToken))
            .AddEndpointFilter(AcceptedContentTypes.SeqRaw)
            .WithName("SeqRawEvents")
            .WithSummary("Seq-compatible ingestion (CLEF or classic JSON)");
        seq.MapPost("/ingest/clef", (HttpContext context, IngestPipeline pipeline, ClefDecoder clef, CancellationToken cancellationToken) =>
                IngestAsync(context, pipeline, clef, cancellationToken))
            .AddEndpointFilter(AcceptedContentTypes.ClefLines)
            .WithName("SeqClef")
            .WithSummary("Seq-compatible CLEF ingestion");
        return endpoints;
    }

    private static async Task<IResult> IngestAsync(HttpContext context, IngestPipeline pipeline, IEventDecoder decoder,
        CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength == 0)
        {
            return Accepted();
        }

        return await pipeline.RunAsync(context, decoder, IngestMode.AllOrNothing, cancellationToken) switch
        {
            IngestOutcome.Unreadable unreadable => unreadable.Problem,
            IngestOutcome.Invalid invalid => IngestProblems.InvalidBatch(invalid.Events.Errors, partialOffered: false),
            IngestOutcome.Stored => Accepted(),
            _ => throw new UnreachableException(),
        };
    }

    // Written as is: Seq clients look for this exact, PascalCase, name.
    private static IResult Accepted() =>
        TypedResults.Content("{\"MinimumLevelAccepted\":null}", "application/json", statusCode: StatusCodes.Status201Created);

    private static bool IsClef(HttpRequest request) =>
        request.Query.ContainsKey("clef")
        || (request.ContentType?.StartsWith(ClefContentType, StringComparison.OrdinalIgnoreCase) ?? false);
}
