using Npgsql;
using NpgsqlTypes;

namespace Logbus.Storage.Writing;

/// <summary>
/// Stores events at COPY speed and exactly once: binary COPY into a staging table, then one
/// <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c> into <c>log_events</c>, so an event already stored (same id and
/// timestamp: a redelivery, or a client sending it again) is counted as a duplicate instead of failing the batch.
/// Runs in the caller's transaction, so the rows commit or roll back with whatever else it does (the inbox row, the
/// outbox messages). An event whose day has no partition lands in the default partition: nothing is refused.
/// With <c>copyDirect</c> the rows are first copied straight into <c>log_events</c> under a savepoint (100,000 events in
/// one session: 2.7 s, against 3.5 s through staging, issue 19), which skips the staging COPY; only when that COPY meets
/// a row already there (a unique violation) is the savepoint rolled back and the chunk written the staging way, which
/// counts the duplicates. Redeliveries never get here (the inbox absorbs them), so the fallback is for client resends.
/// </summary>
public static class LogEventBulkWriter
{
    // One staging table per database session, emptied by every commit: creating and dropping it with each chunk cost
    // about 1 ms of PostgreSQL time per chunk, most of a small chunk's storing (bench/README.md). Its columns are
    // spelled out with unbounded types rather than copied from log_events, so a migration that widens a column there
    // never meets a stale copy here; the insert below checks every value against log_events itself. Sessions outlive a
    // pooled connection's use because the data source keeps them (No Reset On Close, see StorageExtensions).
    private const string CreateStaging = """
        CREATE TEMP TABLE IF NOT EXISTS log_events_staging (
            id text, "timestamp" timestamptz, level text, message text, source text, metadata jsonb,
            trace_id text, span_id text, exception text, import_id uuid, received_at timestamptz)
        ON COMMIT DELETE ROWS
        """;

    private const string Columns = "id, \"timestamp\", level, message, source, metadata, trace_id, span_id, exception, import_id, received_at";

    /// <param name="connection">An open connection with a transaction in progress.</param>
    /// <param name="emptyStaging">
    /// Empty the staging table first: needed when the transaction already wrote rows through it (the table empties itself
    /// only at commit), as a chunk stored in parts does.
    /// </param>
    /// <param name="copyDirect">Try COPY straight into <c>log_events</c> first (see the summary).</param>
    /// <param name="savepoint">
    /// A savepoint the caller set right before this call, with nothing written since: a direct COPY that meets a row
    /// already there rolls back to it instead of setting one of its own, which saves two statements a write (a caller that
    /// isolates refused rows holds one anyway). The savepoint is left in place for the caller.
    /// </param>
    public static async Task<StoredCounts> WriteAsync(NpgsqlConnection connection, IReadOnlyCollection<LogEvent> events,
        CancellationToken cancellationToken, bool emptyStaging = false, bool copyDirect = false, string? savepoint = null)
    {
        if (events.Count == 0)
        {
            return default;
        }

        if (copyDirect && await TryCopyDirectAsync(connection, events, savepoint, cancellationToken))
        {
            return new StoredCounts(events.Count, 0);
        }

        await using (var create = new NpgsqlCommand(CreateStaging, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        if (emptyStaging)
        {
            await using var empty = new NpgsqlCommand("TRUNCATE log_events_staging", connection);
            await empty.ExecuteNonQueryAsync(cancellationToken);
        }

        await CopyAsync(connection, "log_events_staging", events, cancellationToken);

        await using var insert = new NpgsqlCommand(
            $"INSERT INTO log_events ({Columns}) SELECT {Columns} FROM log_events_staging ON CONFLICT DO NOTHING", connection);
        var stored = await insert.ExecuteNonQueryAsync(cancellationToken);
        return new StoredCounts(stored, events.Count - stored);
    }

    /// <summary>
    /// Copies the rows into <c>log_events</c> under a savepoint (the caller's, or one of its own). False when a row was
    /// already there: the savepoint is rolled back (the transaction goes on as before the COPY). Any other refusal is
    /// thrown, with the savepoint left for the caller's rollback (a data refusal is what the caller isolates, an outage
    /// aborts the transaction anyway).
    /// </summary>
    private static async Task<bool> TryCopyDirectAsync(NpgsqlConnection connection, IReadOnlyCollection<LogEvent> events, string? savepoint,
        CancellationToken cancellationToken)
    {
        var own = savepoint is null;
        if (own)
        {
            await ExecuteAsync(connection, "SAVEPOINT copy_direct", cancellationToken);
        }

        try
        {
            await CopyAsync(connection, "log_events", events, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await ExecuteAsync(connection,
                own ? "ROLLBACK TO SAVEPOINT copy_direct; RELEASE SAVEPOINT copy_direct" : $"ROLLBACK TO SAVEPOINT {savepoint}", cancellationToken);
            return false;
        }

        if (own)
        {
            await ExecuteAsync(connection, "RELEASE SAVEPOINT copy_direct", cancellationToken);
        }

        return true;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, IReadOnlyCollection<LogEvent> events,
        CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var e in events)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(e.Id, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(e.Level, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Message, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Source, NpgsqlDbType.Text, cancellationToken);
            if (e.Metadata is { } metadata)
            {
                await copy.WriteAsync(metadata, NpgsqlDbType.Jsonb, cancellationToken);
            }
            else
            {
                await copy.WriteNullAsync(cancellationToken);
            }

            await WriteNullableAsync(copy, e.TraceId, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, e.SpanId, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, e.Exception, NpgsqlDbType.Text, cancellationToken);
            if (e.ImportId is { } importId)
            {
                await copy.WriteAsync(importId, NpgsqlDbType.Uuid, cancellationToken);
            }
            else
            {
                await copy.WriteNullAsync(cancellationToken);
            }

            await copy.WriteAsync(e.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);
}
