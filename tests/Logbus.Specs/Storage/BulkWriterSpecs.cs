using Logbus.Specs.Infrastructure;
using Logbus.Storage;
using Logbus.Storage.Partitions;
using Logbus.Storage.Writing;
using Npgsql;

namespace Logbus.Specs.Storage;

[Trait("Kind", "Integration")]
public sealed class BulkWriterSpecs
{
    [Fact]
    public async Task Stores_each_event_once_and_counts_what_was_already_there()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var first = Events(0, 5_000);
        var overlapping = Events(2_500, 5_000);

        var a = await WriteInTransactionAsync(db, first);
        var b = await WriteInTransactionAsync(db, overlapping);
        var again = await WriteInTransactionAsync(db, overlapping);

        Assert.Equal(new StoredCounts(5_000, 0), a);
        Assert.Equal(new StoredCounts(2_500, 2_500), b);
        Assert.Equal(new StoredCounts(0, 5_000), again);
        Assert.Equal(7_500L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        Assert.Equal(7_500L, await db.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events"));
    }

    [Fact]
    public async Task Rolls_back_with_the_callers_transaction()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.Equal(100, (await LogEventBulkWriter.WriteAsync(connection, Events(0, 100), CancellationToken.None)).Stored);
            await transaction.RollbackAsync();
        }

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        // The connection is clean for the next transaction: staging went with the rollback.
        Assert.Equal(new StoredCounts(100, 0), await WriteInTransactionAsync(db, Events(0, 100)));
    }

    [Fact]
    public async Task Stores_every_field_and_events_far_outside_the_prepared_days()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var importId = Guid.NewGuid();
        var ancient = new LogEvent
        {
            Id = "ancient", Timestamp = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero), Level = "ERROR", Message = "m", Source = "s",
            Metadata = """{"a":{"b":[1,2]}}""", TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = "00f067aa0ba902b7",
            Exception = "System.Exception", ImportId = importId, ReceivedAt = DateTimeOffset.UtcNow,
        };

        Assert.Equal(new StoredCounts(1, 0), await WriteInTransactionAsync(db, [ancient]));

        Assert.Equal(LogEventPartition.DefaultTable, await LogEventRows.PartitionOfAsync(db, "ancient"));
        Assert.Equal(importId, await db.ScalarAsync<Guid>("SELECT import_id FROM log_events WHERE id = 'ancient'"));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT jsonb_array_length(metadata->'a'->'b')::bigint FROM log_events WHERE id = 'ancient'"));
        Assert.Equal("00f067aa0ba902b7", await db.ScalarAsync<string>("SELECT span_id FROM log_events WHERE id = 'ancient'"));
    }

    [Fact]
    public async Task Keeps_one_staging_table_per_session_and_nothing_of_one_write_leaks_into_the_next()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        for (var round = 0; round < 3; round++)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            Assert.Equal(new StoredCounts(50, 0), await LogEventBulkWriter.WriteAsync(connection, Events(round * 50, 50), CancellationToken.None));
            await transaction.CommitAsync();
        }

        Assert.Equal(150L, await db.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events"));
        // Created once for the session, not per write (that cost ~1 ms of PostgreSQL time per chunk), and empty between writes.
        await using var staging = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM pg_class WHERE relname = 'log_events_staging' AND relpersistence = 't'), (SELECT count(*) FROM " +
                "log_events_staging)",
            connection);
        await using var reader = await staging.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((1L, 0L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    private static async Task<StoredCounts> WriteInTransactionAsync(SpecDatabase db, IReadOnlyCollection<LogEvent> events)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var counts = await LogEventBulkWriter.WriteAsync(connection, events, CancellationToken.None);
        await transaction.CommitAsync();
        return counts;
    }

    // Fixed, so the same index always means the same event (same id and timestamp).
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-1);

    private static List<LogEvent> Events(int from, int count)
    {
        var start = Start;
        return [.. Enumerable.Range(from, count).Select(i => new LogEvent
        {
            Id = $"event-{i:D7}",
            Timestamp = start.AddMilliseconds(i),
            Level = "INFO",
            Message = $"message {i}",
            Source = "bulk-spec",
            ReceivedAt = start,
        })];
    }
}
