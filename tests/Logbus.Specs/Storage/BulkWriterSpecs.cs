using System.Text;
using Logbus.Specs.Infrastructure;
using Logbus.Storage;
using Logbus.Storage.Partitions;
using Logbus.Storage.Writing;
using Npgsql;

namespace Logbus.Specs.Storage;

[Trait("Kind", "Integration")]
public sealed class BulkWriterSpecs
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stores_each_event_once_and_counts_what_was_already_there(bool copyDirect)
    {
        await using var db = await SpecDatabase.CreateAsync();
        var first = Events(0, 5_000);
        var overlapping = Events(2_500, 5_000);

        var a = await WriteInTransactionAsync(db, first, copyDirect);
        var b = await WriteInTransactionAsync(db, overlapping, copyDirect);
        var again = await WriteInTransactionAsync(db, overlapping, copyDirect);

        Assert.Equal(new StoredCounts(5_000, 0), a);
        Assert.Equal(new StoredCounts(2_500, 2_500), b);
        Assert.Equal(new StoredCounts(0, 5_000), again);
        Assert.Equal(7_500L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        Assert.Equal(7_500L, await db.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rolls_back_with_the_callers_transaction(bool copyDirect)
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var written = await LogEventBulkWriter.WriteAsync(connection, Events(0, 100), CancellationToken.None, copyDirect: copyDirect);
            Assert.Equal(100, written.Stored);
            await transaction.RollbackAsync();
        }

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        // The connection is clean for the next transaction: staging went with the rollback.
        Assert.Equal(new StoredCounts(100, 0), await WriteInTransactionAsync(db, Events(0, 100), copyDirect));
    }

    [Fact]
    public async Task Copied_straight_in_a_row_already_there_falls_back_to_the_staging_way_and_the_transaction_goes_on()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await WriteInTransactionAsync(db, Events(0, 10), copyDirect: true);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE written_beside (n int)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // Written before in the same transaction, as the inbox row is: the fallback must not take it away.
            await using (var beside = new NpgsqlCommand("INSERT INTO written_beside VALUES (1)", connection))
            {
                await beside.ExecuteNonQueryAsync();
            }

            // Straight in; then one already stored among new ones; then the same new event twice within one write.
            Assert.Equal(new StoredCounts(10, 0),
                await LogEventBulkWriter.WriteAsync(connection, Events(10, 10), CancellationToken.None, copyDirect: true));
            Assert.Equal(new StoredCounts(10, 1),
                await LogEventBulkWriter.WriteAsync(connection, Events(19, 11), CancellationToken.None, copyDirect: true));
            Assert.Equal(new StoredCounts(1, 1),
                await LogEventBulkWriter.WriteAsync(connection, [.. Events(30, 1), .. Events(30, 1)], CancellationToken.None, emptyStaging: true,
                    copyDirect: true));
            await transaction.CommitAsync();
        }

        Assert.Equal(31L, await db.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events"));
        Assert.Equal(31L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        await using var besideCount = new NpgsqlCommand("SELECT count(*) FROM written_beside", connection);
        Assert.Equal(1L, await besideCount.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stores_every_field_and_events_far_outside_the_prepared_days(bool copyDirect)
    {
        await using var db = await SpecDatabase.CreateAsync();
        var importId = Guid.NewGuid();
        var ancient = new LogEvent
        {
            Id = "ancient", Timestamp = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero), Level = "ERROR", Message = "m", Source = "s",
            Metadata = Encoding.UTF8.GetBytes("""{"a":{"b":[1,2]}}"""), TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = "00f067aa0ba902b7",
            Exception = "System.Exception", ImportId = importId, ReceivedAt = DateTimeOffset.UtcNow,
        };

        Assert.Equal(new StoredCounts(1, 0), await WriteInTransactionAsync(db, [ancient], copyDirect));

        Assert.Equal(LogEventPartition.DefaultTable, await LogEventRows.PartitionOfAsync(db, "ancient"));
        Assert.Equal(importId, await db.ScalarAsync<Guid>("SELECT import_id FROM log_events WHERE id = 'ancient'"));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT jsonb_array_length(metadata->'a'->'b')::bigint FROM log_events WHERE id = 'ancient'"));
        Assert.Equal("00f067aa0ba902b7", await db.ScalarAsync<string>("SELECT span_id FROM log_events WHERE id = 'ancient'"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stores_metadata_given_as_a_slice_of_UTF8_text_as_the_Workers_rows_give_it(bool copyDirect)
    {
        await using var db = await SpecDatabase.CreateAsync();
        // A slice of a larger buffer, as the Worker's rows hold it.
        var text = Encoding.UTF8.GetBytes("""[{"word":"caf\u00e9","list":[1,2]}]""");
        var row = Events(0, 1)[0];
        var withText = new LogEvent
        {
            Id = row.Id, Timestamp = row.Timestamp, Level = row.Level, Message = row.Message, Source = row.Source, ReceivedAt = row.ReceivedAt,
            Metadata = text.AsMemory(1, text.Length - 2),
        };

        Assert.Equal(new StoredCounts(1, 0), await WriteInTransactionAsync(db, [withText], copyDirect));

        Assert.Equal("café", await db.ScalarAsync<string>($"SELECT metadata->>'word' FROM log_events WHERE id = '{row.Id}'"));
        Assert.Equal(2L, await db.ScalarAsync<long>($"SELECT jsonb_array_length(metadata->'list')::bigint FROM log_events WHERE id = '{row.Id}'"));
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

    private static async Task<StoredCounts> WriteInTransactionAsync(SpecDatabase db, IReadOnlyCollection<LogEvent> events, bool copyDirect = false)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var counts = await LogEventBulkWriter.WriteAsync(connection, events, CancellationToken.None, copyDirect: copyDirect);
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
