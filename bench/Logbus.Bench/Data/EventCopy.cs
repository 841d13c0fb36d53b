using Npgsql;
using NpgsqlTypes;

namespace Logbus.Bench.Data;

/// <summary>Writes generated events into <c>log_events</c> with binary COPY.</summary>
public static class EventCopy
{
    public static async Task<long> WriteAsync(NpgsqlConnection connection, IEnumerable<GeneratedEvent> events, Action<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        long written = 0;
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY log_events (id, \"timestamp\", level, message, source, metadata, trace_id, span_id, exception, received_at) "
                + "FROM STDIN (FORMAT BINARY)",
                cancellationToken);
        foreach (var e in events)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(e.Id, NpgsqlDbType.Varchar, cancellationToken);
            await importer.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(e.Level, NpgsqlDbType.Varchar, cancellationToken);
            await importer.WriteAsync(e.Message, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(e.Source, NpgsqlDbType.Varchar, cancellationToken);
            await importer.WriteAsync(e.MetadataJson(), NpgsqlDbType.Jsonb, cancellationToken);
            await WriteNullableAsync(importer, e.TraceId, NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullableAsync(importer, e.SpanId, NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullableAsync(importer, e.Exception, NpgsqlDbType.Text, cancellationToken);

            await importer.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz, cancellationToken);
            if (++written % 250_000 == 0)
            {
                progress?.Invoke(written);
            }
        }

        await importer.CompleteAsync(cancellationToken);
        return written;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type,
        CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteAsync(value, type, cancellationToken);
        }
    }
}
