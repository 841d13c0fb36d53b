using Npgsql;

namespace Logbus.Query.Search;

/// <summary>Reads <see cref="LogEventView"/>s from rows selected with <see cref="Columns"/>.</summary>
internal static class LogEventReader
{
    public const string Columns =
        "id, \"timestamp\", level, message, source, metadata::text, trace_id, span_id, exception, import_id, received_at, stored_at";

    public static async Task<List<LogEventView>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<LogEventView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new LogEventView(
                reader.GetString(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : new RawJson(reader.GetString(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetGuid(9),
                reader.GetFieldValue<DateTimeOffset>(10),
                reader.GetFieldValue<DateTimeOffset>(11)));
        }

        return events;
    }
}
