using Logbus.Query.Database;
using Logbus.Query.Search;
using Logbus.Storage;
using Npgsql;

namespace Logbus.Query.Histogram;

/// <summary>Counts a search's matches per bucket and level in one scan, with the search's own WHERE clause.</summary>
public sealed class LogHistogramStore(QueryDatabase database)
{
    public ValueTask<LogHistogram> ComputeAsync(LogSearchFilter filter, int maxBuckets, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, token) =>
        {
            var (first, width, count) = HistogramBuckets.Choose(filter.From, filter.To, maxBuckets);
            await using var command = connection.CreateCommand();
            var words = await LogSearchSql.ResolveWordsAsync(connection, filter, token);
            // Bucket numbers count widths since the Unix epoch, as HistogramBuckets aligns them (exact: epoch is numeric).
            command.CommandText = $"""
                SELECT floor(extract(epoch FROM "timestamp") / @bucketSeconds)::bigint AS bucket, level, count(*)
                FROM log_events WHERE {LogSearchSql.Where(filter, words, command)}
                GROUP BY 1, 2
                """;
            command.Parameters.Add(new NpgsqlParameter<long>("bucketSeconds", (long)width.TotalSeconds));

            var epochBucket = (DateTimeOffset.UnixEpoch.UtcTicks - first.UtcTicks) / width.Ticks;
            var buckets = Enumerable.Range(0, count).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
            var byLevel = LogLevels.All.ToDictionary(l => l, _ => 0L, StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(token))
            {
                while (await reader.ReadAsync(token))
                {
                    var index = (int)(reader.GetInt64(0) + epochBucket);
                    var level = reader.GetString(1);
                    var n = reader.GetInt64(2);
                    buckets[Math.Clamp(index, 0, count - 1)][level] = n;
                    byLevel[level] = byLevel.GetValueOrDefault(level) + n;
                }
            }

            return new LogHistogram(
                filter.From,
                filter.To,
                (long)width.TotalSeconds,
                byLevel.Values.Sum(),
                byLevel,
                [.. buckets.Select((counts, i) => new HistogramBucket(first + (width * i), counts.Values.Sum(), counts))]);
        }, cancellationToken);
}
