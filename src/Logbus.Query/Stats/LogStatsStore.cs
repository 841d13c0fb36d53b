using Logbus.Query.Database;
using Logbus.Query.Filtering;
using Logbus.ServiceDefaults.Security;
using Logbus.Storage;
using Npgsql;

namespace Logbus.Query.Stats;

/// <summary>Computes <see cref="LogStats"/> in one scan of the window.</summary>
public sealed class LogStatsStore(QueryDatabase database)
{
    public const int MaxPoints = 1440;

    /// <param name="sourceGlobs">Only sources matching one of these (<see cref="SourceGlob"/>); empty for every source.</param>
    /// <param name="expression">Counts only the events matching it, when given.</param>
    public ValueTask<LogStats> ComputeAsync(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string> sourceGlobs,
        CancellationToken cancellationToken, FilterExpression? expression = null) =>
        database.ReadAsync(async (connection, token) =>
        {
            var bucketMinutes = Math.Max(1, (int)Math.Ceiling((to - from).TotalMinutes / MaxPoints));
            await using var command = connection.CreateCommand();
            // Each row belongs to one grouping set; the columns outside that set are NULL (none is NULL in the data).
            var matching = expression is null ? "" : " AND " + FilterSql.Where(expression.Root, command);
            command.CommandText = $"""
                SELECT level, source, bucket, count(*)
                FROM (SELECT level, source, date_bin(@bucket, "timestamp", @origin) AS bucket
                      FROM log_events WHERE "timestamp" >= @from AND "timestamp" < @to
                        AND (cardinality(@sourceGlobs) = 0 OR source LIKE ANY(@sourceGlobs)){matching}) e
                GROUP BY GROUPING SETS ((level), (source), (bucket, level))
                """;
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("bucket", TimeSpan.FromMinutes(bucketMinutes)));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("origin", DateTimeOffset.UnixEpoch));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to));
            command.Parameters.Add(new NpgsqlParameter<string[]>("sourceGlobs", [.. sourceGlobs.Select(SourceGlob.ToLike)]));

            var byLevel = LogLevels.All.ToDictionary(l => l, _ => 0L, StringComparer.Ordinal);
            var bySource = new List<SourceCount>();
            var timeline = new SortedDictionary<DateTimeOffset, Dictionary<string, long>>();
            await using (var reader = await command.ExecuteReaderAsync(token))
            {
                while (await reader.ReadAsync(token))
                {
                    var count = reader.GetInt64(3);
                    if (!reader.IsDBNull(2))
                    {
                        var bucket = reader.GetFieldValue<DateTimeOffset>(2);
                        if (!timeline.TryGetValue(bucket, out var counts))
                        {
                            timeline[bucket] = counts = new Dictionary<string, long>(StringComparer.Ordinal);
                        }

                        counts[reader.GetString(0)] = count;
                    }
                    else if (!reader.IsDBNull(0))
                    {
                        byLevel[reader.GetString(0)] = count;
                    }
                    else
                    {
                        bySource.Add(new SourceCount(reader.GetString(1), count));
                    }
                }
            }

            return new LogStats(
                from,
                to,
                byLevel.Values.Sum(),
                byLevel,
                [.. bySource.OrderByDescending(s => s.Count).ThenBy(s => s.Source, StringComparer.Ordinal)],
                bucketMinutes,
                [.. timeline.Select(t => new TimelinePoint(t.Key, t.Value))]);
        }, cancellationToken);
}
