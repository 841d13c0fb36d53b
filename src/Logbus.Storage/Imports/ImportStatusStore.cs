using Microsoft.EntityFrameworkCore;

namespace Logbus.Storage.Imports;

/// <summary>Reads import status and records cancel requests; shared by the Api and Logbus.Query.</summary>
public sealed class ImportStatusStore(LogbusDbContext db)
{
    public async Task<ImportStatus?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        await db.Set<ImportState>().AsNoTracking().FirstOrDefaultAsync(s => s.CorrelationId == id, cancellationToken) is { } state
            ? ImportStatus.From(state)
            : null;

    /// <summary>
    /// Creates the import's row, Receiving, before its upload is read: its status and cancel answer from the first
    /// byte. The saga owns the row from its first message on (it finds it, Receiving, and records what the messages say);
    /// an upload that never reports again is failed by the saga's watchdog like any stalled one.
    /// </summary>
    /// <param name="startedBy">The name of the API key of the upload, if any.</param>
    public Task StartAsync(Guid id, string? fileName, string format, DateTimeOffset startedAt, string? startedBy,
        CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO import_state (correlation_id, current_state, file_name, format, lines_read, accepted, rejected, stored, duplicates,
                skipped, chunks_stored, chunks_seen, upload_failed, started_at, last_progress_at, started_by)
            VALUES ({id}, {ImportStates.Receiving}, {fileName}, {format}, 0, 0, 0, 0, 0, 0, 0, {Array.Empty<byte>()}, false, {
                startedAt}, {startedAt}, {startedBy})
            ON CONFLICT (correlation_id) DO NOTHING
            """,
            cancellationToken);

    /// <summary>Whether a cancel was asked for the import (its remaining chunks are then skipped).</summary>
    public Task<bool> IsCancelRequestedAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<ImportState>().AsNoTracking().AnyAsync(s => s.CorrelationId == id && s.CancelRequestedAt != null, cancellationToken);

    public async Task<List<ImportStatus>> RecentAsync(int limit, CancellationToken cancellationToken)
    {
        var states = await db.Set<ImportState>().AsNoTracking().OrderByDescending(s => s.StartedAt).Take(limit).ToListAsync(cancellationToken);
        return [.. states.Select(ImportStatus.From)];
    }

    /// <summary>
    /// Marks an active import cancelled. A flag in the row rather than a message: chunks already queued in Kafka must
    /// see it when they are stored, and Logbus.Query, which has no bus, can cancel too. The saga then moves to
    /// Cancelled when a skipped chunk or the watchdog reports it.
    /// </summary>
    public async Task<CancelOutcome> RequestCancelAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var updated = await db.Database.ExecuteSqlInterpolatedAsync(
            // The line breaks inside a hole: the SQL stays one interpolated string, so its values stay parameters.
            $"UPDATE import_state SET cancel_requested_at = {now} WHERE correlation_id = {id} AND current_state IN ({ImportStates.Receiving}, {
                ImportStates.Persisting}) AND cancel_requested_at IS NULL",
            cancellationToken);
        if (updated == 1)
        {
            return CancelOutcome.Requested;
        }

        var state = await db.Set<ImportState>().AsNoTracking().Where(s => s.CorrelationId == id)
            .Select(s => new { s.CurrentState, s.CancelRequestedAt }).FirstOrDefaultAsync(cancellationToken);
        return state is null ? CancelOutcome.NotFound
            : state.CancelRequestedAt is not null ? CancelOutcome.AlreadyRequested
            : CancelOutcome.Finished;
    }

    public enum CancelOutcome
    {
        Requested,
        AlreadyRequested,
        NotFound,
        Finished,
    }
}
