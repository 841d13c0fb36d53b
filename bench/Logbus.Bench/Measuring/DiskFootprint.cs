using System.Globalization;
using Npgsql;

namespace Logbus.Bench.Measuring;

/// <summary>
/// What an event costs on PostgreSQL's disk: <c>log_events</c> (every partition, with TOAST) and each of its indexes over
/// the rows it holds, read once after a mode's clock stopped in the run's own database.
/// </summary>
internal static class DiskFootprint
{
    public static async Task<(double BytesPerEvent, string Text)> DescribeAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        long rows;
        await using (var count = new NpgsqlCommand(StatementBreakdown.BenchTag + "SELECT count(*) FROM log_events", connection))
        {
            rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        if (rows == 0)
        {
            return (0, "log_events is empty");
        }

        // Sizes summed over the partition tree: the partitioned parent itself holds nothing.
        const string sizes = StatementBreakdown.BenchTag + """
            SELECT 'table (heap + TOAST)' AS part, sum(pg_table_size(relid)) AS bytes FROM pg_partition_tree('log_events'::regclass)
            UNION ALL
            SELECT i.indexname, (SELECT sum(pg_relation_size(t.relid)) FROM pg_partition_tree(i.indexname::regclass) t)
            FROM pg_indexes i WHERE i.tablename = 'log_events' AND i.schemaname = current_schema()
            """;
        var parts = new List<(string Part, long Bytes)>();
        await using (var command = new NpgsqlCommand(sizes, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                parts.Add((reader.GetString(0), reader.IsDBNull(1) ? 0 : (long)reader.GetDecimal(1)));
            }
        }

        var total = parts.Sum(p => p.Bytes);
        return (total / (double)rows, string.Create(CultureInfo.InvariantCulture,
            $"log_events on disk: {total / (double)rows:N0} bytes per event over {rows:N0} rows "
            + $"({total / 1048576.0:N0} MB): ") + string.Join(", ", parts.OrderByDescending(p => p.Bytes).Select(p =>
                string.Create(CultureInfo.InvariantCulture, $"{p.Part} {p.Bytes / (double)rows:N0} B"))));
    }
}
