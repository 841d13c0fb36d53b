using Logbus.Query.Database;
using Logbus.ServiceDefaults.Security;
using Npgsql;

namespace Logbus.Query.Sources;

/// <summary>Lists the sources seen in a window.</summary>
public sealed class SourcesStore(QueryDatabase database)
{
    /// <param name="sourceGlobs">Only sources matching one of these (<see cref="SourceGlob"/>); empty for every source.</param>
    public ValueTask<IReadOnlyList<SourceSummary>> ListAsync(DateTimeOffset since, IReadOnlyList<string> sourceGlobs,
        CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SourceSummary>>(async (connection, token) =>
        {
            await using var command = connection.CreateCommand();
            // A loose index scan over (source, timestamp): one index probe per distinct source instead of reading
            // every event of the window.
            command.CommandText = """
                WITH RECURSIVE s(source) AS (
                    SELECT min(source) FROM log_events WHERE "timestamp" >= @since
                        AND (cardinality(@sourceGlobs) = 0 OR source LIKE ANY(@sourceGlobs))
                    UNION ALL
                    SELECT (SELECT min(source) FROM log_events WHERE source > s.source AND "timestamp" >= @since
                        AND (cardinality(@sourceGlobs) = 0 OR source LIKE ANY(@sourceGlobs)))
                    FROM s WHERE s.source IS NOT NULL)
                SELECT s.source, (SELECT max("timestamp") FROM log_events l WHERE l.source = s.source AND l."timestamp" >= @since)
                FROM s WHERE s.source IS NOT NULL
                ORDER BY s.source
                """;
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", since));
            command.Parameters.Add(new NpgsqlParameter<string[]>("sourceGlobs", [.. sourceGlobs.Select(SourceGlob.ToLike)]));
            var sources = new List<SourceSummary>();
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                sources.Add(new SourceSummary(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
            }

            return sources;
        }, cancellationToken);
}
