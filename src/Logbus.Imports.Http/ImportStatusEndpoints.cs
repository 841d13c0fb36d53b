using Logbus.ServiceDefaults.Security;
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
        // Status: a read key, or the ingest key that started the import (checked in ImportOwnership); the Api's upload and cancel
        // routes in this group state their own scopes.
        var imports = endpoints.MapGroup("/api/imports").WithTags("Imports").RequireKeyScope(KeyScopes.Read, KeyScopes.Ingest);

        imports.MapGet("/", RecentAsync)
            .RequireKeyScope(KeyScopes.Read)
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
        ProblemHttpResult>> GetAsync(Guid id, HttpContext context, ImportStatusStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is not { } status ? NotFound(id)
            : ImportOwnership.RefuseRead(context, status) is { } refused ? refused
            : TypedResults.Ok(status);
}
