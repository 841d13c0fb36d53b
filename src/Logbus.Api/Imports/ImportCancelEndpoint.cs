using Logbus.Imports.Http;
using Logbus.ServiceDefaults.Security;
using Logbus.Storage.Imports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Api.Imports;

/// <summary><c>DELETE /api/imports/{id}</c>: cancelling writes, so it lives on the Api, not on the read-only Query service.</summary>
internal static class ImportCancelEndpoint
{
    public static RouteGroupBuilder MapImportCancel(this RouteGroupBuilder imports)
    {
        imports.MapDelete("/{id:guid}", CancelAsync)
            .RequireKeyScope(KeyScopes.Ingest, KeyScopes.Admin)
            .WithName("CancelImport")
            .WithSummary("Cancel an import")
            .WithDescription("202 when the cancel was recorded: chunks not yet stored are skipped and counted, an upload still running stops. "
                + "404 for an unknown import, 409 when it already finished.");
        return imports;
    }

    private static async Task<Results<Accepted<ImportStatus>, ProblemHttpResult>> CancelAsync(Guid id, HttpContext context, ImportStatusStore store,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is { } before && ImportOwnership.RefuseCancel(context, before) is { } refused)
        {
            return refused;
        }

        var outcome = await store.RequestCancelAsync(id, time.GetUtcNow(), cancellationToken);
        return outcome switch
        {
            ImportStatusStore.CancelOutcome.Requested or ImportStatusStore.CancelOutcome.AlreadyRequested =>
                TypedResults.Accepted($"/api/imports/{id}", (await store.FindAsync(id, cancellationToken))!),
            ImportStatusStore.CancelOutcome.NotFound => ImportStatusEndpoints.NotFound(id),
            _ => TypedResults.Problem($"Import {id} already finished; there is nothing left to cancel.", statusCode: StatusCodes.Status409Conflict,
                title: "Import already finished"),
        };
    }
}
