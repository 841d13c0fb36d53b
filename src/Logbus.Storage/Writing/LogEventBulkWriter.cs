using Npgsql;
using NpgsqlTypes;

namespace Logbus.Storage.Writing;

/// <summary>
/// Stores events at COPY speed and exactly once: binary COPY into a staging table, then one
/// <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c> into <c>log_events</c>, so an event already stored (same id and
/// timestamp: a redelivery, or a client sending it again) is counted as a duplicate instead of failing the batch.
/// Runs in the caller's transaction, so the rows commit or roll back with whatever else it does (the inbox row, the
/// outbox messages). An event whose day has no partition lands in the default partition: nothing is refused.
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
    public static async Task<StoredCounts> WriteAsync(NpgsqlConnection connection, IReadOnlyCollection<LogEvent> events,
        CancellationToken cancellationToken, bool emptyStaging = false)
    {
        if (events.Count == 0)
        {
            return default;
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

        await using (var copy = await connection.BeginBinaryImportAsync($"COPY log_events_staging ({Columns}) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var e in events)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(e.Id, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(e.Level, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(e.Message, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(e.Source, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, e.Metadata, NpgsqlDbType.Jsonb, cancellationToken);
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

        await using var insert = new NpgsqlCommand(
            $"INSERT INTO log_events ({Columns}) SELECT {Columns} FROM log_events_staging ON CONFLICT DO NOTHING", connection);
        var stored = await insert.ExecuteNonQueryAsync(cancellationToken);
        return new StoredCounts(stored, events.Count - stored);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);
}
