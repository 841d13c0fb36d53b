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
    // Shaped like log_events as it is now (a widened column widens staging too); created per transaction and dropped
    // at its end, so pooled connections carry no state between uses.
    private const string CreateStaging =
        "CREATE TEMP TABLE log_events_staging (LIKE log_events INCLUDING DEFAULTS) ON COMMIT DROP";

    private const string Columns = "id, \"timestamp\", level, message, source, metadata, trace_id, span_id, exception, import_id, received_at";

    /// <param name="connection">An open connection with a transaction in progress.</param>
    public static async Task<StoredCounts> WriteAsync(NpgsqlConnection connection, IReadOnlyCollection<LogEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return default;
        }

        await using (var create = new NpgsqlCommand(CreateStaging, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync($"COPY log_events_staging ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var e in events)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(e.Id, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(e.Level, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(e.Message, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(e.Source, NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullableAsync(copy, e.Metadata, NpgsqlDbType.Jsonb, cancellationToken);
                await WriteNullableAsync(copy, e.TraceId, NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullableAsync(copy, e.SpanId, NpgsqlDbType.Varchar, cancellationToken);
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
