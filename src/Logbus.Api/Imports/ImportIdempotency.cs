using Logbus.Storage;
using Logbus.Storage.Imports;
using Microsoft.EntityFrameworkCore;

namespace Logbus.Api.Imports;

/// <summary>
/// Binds an upload's <c>Idempotency-Key</c> (scoped by API key) to one import, and records how each upload ends. The
/// key is claimed before the body is read. A retry is answered with the earlier import only when that upload was
/// received whole (and its import neither failed nor was cancelled); otherwise (it broke off, hit a limit, is still
/// being read, or its process died) the key is bound to a new import that reads the file again: its lines get the
/// same ids and the same default timestamp as the first time, so whatever the earlier attempt stored is found
/// duplicate, not stored twice.
/// </summary>
public sealed class ImportIdempotency(IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task<ImportClaim> ClaimAsync(string key, Guid candidate, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
        var now = time.GetUtcNow();
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync(
            // The line breaks inside a hole: the SQL stays one interpolated string, so its values stay parameters.
            $"INSERT INTO import_idempotency_keys (key, import_id, created_at, upload_state) VALUES ({key}, {candidate}, {now}, {
                ImportUploadStates.Uploading}) ON CONFLICT (key) DO NOTHING",
            cancellationToken);
        if (claimed == 1)
        {
            return new ImportClaim(candidate, true, now, null);
        }

        // Two retries at once may both find the earlier import unfinished: each rebinds from what it read, the loser
        // reads again.
        for (var attempt = 0; ; attempt++)
        {
            var existing = await db.Set<ImportIdempotencyKey>().AsNoTracking().SingleAsync(k => k.Key == key, cancellationToken);
            var state = await db.Set<ImportState>().AsNoTracking().Where(s => s.CorrelationId == existing.ImportId)
                .Select(s => s.CurrentState).FirstOrDefaultAsync(cancellationToken);
            var receivedWhole = existing.UploadState == ImportUploadStates.Received
                                || (existing.UploadState is null && state is not null);
            if ((receivedWhole && state is not (ImportStates.Failed or ImportStates.Cancelled)) || attempt == 3)
            {
                return new ImportClaim(existing.ImportId, false, existing.CreatedAt, existing);
            }

            var rebound = await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                UPDATE import_idempotency_keys SET import_id = {candidate}, upload_state = {ImportUploadStates.Uploading}, lines_read = NULL,
                    accepted = NULL, rejected = NULL
                WHERE key = {key} AND import_id = {existing.ImportId}
                """,
                cancellationToken);
            if (rebound == 1)
            {
                return new ImportClaim(candidate, true, existing.CreatedAt, null);
            }
        }
    }

    /// <summary>
    /// Records how the upload bound to <paramref name="key"/> as <paramref name="importId"/> ended (not if a retry took
    /// the key since).
    /// </summary>
    public async Task RecordAsync(string key, Guid importId, string uploadState, ImportSummary summary, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            UPDATE import_idempotency_keys SET upload_state = {uploadState}, lines_read = {summary.LinesRead}, accepted = {summary.Accepted},
                rejected = {summary.Rejected}
            WHERE key = {key} AND import_id = {importId}
            """,
            cancellationToken);
    }
}
