using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Logbus.Storage.Imports;

/// <summary><c>GET /api/imports</c>, <c>GET /api/imports/{id}</c> and <c>DELETE /api/imports/{id}</c>, on the Api and on Logbus.Query.</summary>
public static class ImportStatusEndpoints
{
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapImportStatus(this IEndpointRouteBuilder endpoints)
    {
        var imports = endpoints.MapGroup("/api/imports").WithTags("Imports");

        imports.MapGet("/", RecentAsync)
            .WithName("ListImports")
            .WithSummary("Recent imports, newest first")
            .WithDescription($"limit 1–{MaxLimit}, default 20.");

        imports.MapGet("/{id:guid}", GetAsync)
            .WithName("GetImport")
            .WithSummary("One import's state, counts, first rejected lines and timings");

        imports.MapDelete("/{id:guid}", CancelAsync)
            .WithName("CancelImport")
            .WithSummary("Cancel an import")
            .WithDescription("202 when the cancel was recorded: chunks not yet stored are skipped and counted, an upload still running stops. 404 for an unknown import, 409 when it already finished.");
        return imports;
    }

    private static async Task<Results<Ok<List<ImportStatus>>, ProblemHttpResult>> RecentAsync(ImportStatusStore store, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.Problem($"limit must be between 1 and {MaxLimit}.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit");
        }

        return TypedResults.Ok(await store.RecentAsync(limit ?? 20, cancellationToken));
    }

    private static async Task<Results<Ok<ImportStatus>, ProblemHttpResult>> GetAsync(Guid id, ImportStatusStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } status
            ? TypedResults.Ok(status)
            : NotFound(id);

    private static async Task<Results<Accepted<ImportStatus>, ProblemHttpResult>> CancelAsync(Guid id, ImportStatusStore store, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var outcome = await store.RequestCancelAsync(id, time.GetUtcNow(), cancellationToken);
        return outcome switch
        {
            ImportStatusStore.CancelOutcome.Requested or ImportStatusStore.CancelOutcome.AlreadyRequested =>
                TypedResults.Accepted($"/api/imports/{id}", (await store.FindAsync(id, cancellationToken))!),
            ImportStatusStore.CancelOutcome.NotFound => NotFound(id),
            _ => TypedResults.Problem($"Import {id} already finished; there is nothing left to cancel.", statusCode: StatusCodes.Status409Conflict,
                title: "Import already finished"),
        };
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"No import {id}. GET /api/imports lists recent ones.", statusCode: StatusCodes.Status404NotFound, title: "Import not found");
}
