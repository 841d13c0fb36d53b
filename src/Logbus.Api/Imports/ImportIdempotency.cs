using Logbus.Storage;
using Logbus.Storage.Imports;
using Microsoft.EntityFrameworkCore;

namespace Logbus.Api.Imports;

/// <summary>
/// Binds an upload's <c>Idempotency-Key</c> (scoped by API key) to one import. The key is claimed before the body is
/// read, so a retry racing the first upload finds it; a key whose import failed is bound again to a new one, so the
/// retry of an interrupted upload imports the file (and its lines keep the ids they were given the first time).
/// </summary>
public sealed class ImportIdempotency(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>The import this upload is: <paramref name="candidate"/> when it is new, else the existing one's id.</summary>
    public async Task<(Guid ImportId, bool IsNew)> ClaimAsync(string key, Guid candidate, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync(
            // The line breaks inside a hole: the SQL stays one interpolated string, so its values stay parameters.
            $"INSERT INTO import_idempotency_keys (key, import_id, created_at) VALUES ({key}, {candidate}, {
                time.GetUtcNow()}) ON CONFLICT (key) DO NOTHING",
            cancellationToken);
        if (claimed == 1)
        {
            return (candidate, true);
        }

        var existing = await db.Set<ImportIdempotencyKey>().AsNoTracking().Where(k => k.Key == key).Select(k => k.ImportId)
            .SingleAsync(cancellationToken);
        var failed = await db.Set<ImportState>().AsNoTracking()
            .AnyAsync(s => s.CorrelationId == existing && s.CurrentState == ImportStates.Failed, cancellationToken);
        if (!failed)
        {
            return (existing, false);
        }

        var rebound = await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE import_idempotency_keys SET import_id = {candidate}, created_at = {time.GetUtcNow()} WHERE key = {key} AND import_id = {
                existing}",
            cancellationToken);
        return rebound == 1
            ? (candidate, true)
            : (await db.Set<ImportIdempotencyKey>().AsNoTracking().Where(k => k.Key == key).Select(k => k.ImportId).SingleAsync(cancellationToken),
                false);
    }
}
