namespace Logbus.Specs.Infrastructure;

/// <summary>Writes and finds raw <c>log_events</c> rows, for specs about the table itself.</summary>
internal static class LogEventRows
{
    public static async Task InsertAsync(SpecDatabase db, string id, DateTimeOffset timestamp, string level = "INFO", string source = "spec")
    {
        await using var command = db.DataSource.CreateCommand("""
            INSERT INTO log_events (id, "timestamp", level, message, source, received_at)
            VALUES (@id, @timestamp, @level, 'a spec event', @source, now())
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("timestamp", timestamp);
        command.Parameters.AddWithValue("level", level);
        command.Parameters.AddWithValue("source", source);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The table (partition) an event's row physically lives in, or null if there is no such row.</summary>
    public static async Task<string?> PartitionOfAsync(SpecDatabase db, string id)
    {
        await using var command = db.DataSource.CreateCommand("SELECT tableoid::regclass::text FROM log_events WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return (string?)await command.ExecuteScalarAsync();
    }
}
