using Logbus.Storage.Imports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Logbus.Imports.Http;

/// <summary>
/// <c>GET /api/imports</c> and <c>GET /api/imports/{id}</c>, on the Api and on Logbus.Query. Only the Api adds the
/// routes that change an import (upload, cancel): Query is the read side.
/// </summary>
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
        return imports;
    }

    /// <summary>The answer for an import id nobody knows.</summary>
    public static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"No import {id}. GET /api/imports lists recent ones.", statusCode: StatusCodes.Status404NotFound,
            title: "Import not found");

    private static async Task<Results<Ok<List<ImportStatus>>,
        ProblemHttpResult>> RecentAsync(ImportStatusStore store, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.Problem($"limit must be between 1 and {MaxLimit}.", statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid limit");
        }

        return TypedResults.Ok(await store.RecentAsync(limit ?? 20, cancellationToken));
    }

    private static async Task<Results<Ok<ImportStatus>,
        ProblemHttpResult>> GetAsync(Guid id, ImportStatusStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } status
            ? TypedResults.Ok(status)
            : NotFound(id);
}
