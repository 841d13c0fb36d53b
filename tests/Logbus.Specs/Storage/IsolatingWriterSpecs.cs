extern alias worker;

using Logbus.Specs.Infrastructure;
using Logbus.Storage;
using Logbus.Storage.Writing;
using Npgsql;
using worker::Logbus.Worker.Storing;

namespace Logbus.Specs.Storage;

[Trait("Kind", "Integration")]
public sealed class IsolatingWriterSpecs
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-1);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_chunk_with_a_row_already_stored_and_a_row_PostgreSQL_refuses_stores_the_rest_once_and_keeps_what_the_transaction_wrote_before(
        bool copyDirect)
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using (var setup = new NpgsqlCommand("CREATE TEMP TABLE written_before (n int)", connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        await StoreAsync(connection, [Row(3)], copyDirect);
        var chunk = Enumerable.Range(0, 40).Select(i => (Index: i, Row: Row(i, i == 17 ? "LOUD" : "INFO"))).ToList();
        var refused = new List<(int Index, PostgresException Refusal)>();
        StoredCounts counts;
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // As the inbox row is: written in the same transaction before the chunk, it must survive every rollback of the chunk's rows.
            await using (var before = new NpgsqlCommand("INSERT INTO written_before VALUES (1)", connection))
            {
                await before.ExecuteNonQueryAsync();
            }

            counts = await IsolatingWriter.WriteAsync(connection, transaction, chunk, refused, copyDirect, CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(new StoredCounts(38, 1), counts);
        var (index, refusal) = Assert.Single(refused);
        Assert.Equal(17, index);
        Assert.Equal(PostgresErrorCodes.CheckViolation, refusal.SqlState);
        Assert.Equal(39L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        Assert.Equal(39L, await db.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id = 'isolated-17'"));
        await using var written = new NpgsqlCommand("SELECT count(*) FROM written_before", connection);
        Assert.Equal(1L, await written.ExecuteScalarAsync());
    }

    private static async Task StoreAsync(NpgsqlConnection connection, IReadOnlyList<LogEvent> rows, bool copyDirect)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await IsolatingWriter.WriteAsync(connection, transaction, [.. rows.Select((row, i) => (i, row))], [], copyDirect, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static LogEvent Row(int i, string level = "INFO") => new()
    {
        Id = $"isolated-{i}",
        Timestamp = Start.AddMilliseconds(i),
        Level = level,
        Message = $"message {i}",
        Source = "isolation-spec",
        ReceivedAt = Start,
    };
}
