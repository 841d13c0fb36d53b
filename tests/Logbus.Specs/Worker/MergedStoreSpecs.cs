extern alias worker;

using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Specs.Infrastructure;
using Npgsql;

namespace Logbus.Specs.Worker;

/// <summary>
/// Records that wait for a store slot are stored together, in one transaction. Each row's <c>xmin</c> names the
/// (sub)transaction that wrote it, one per write of the Worker, so the database itself says how many writes stored the
/// records.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class MergedStoreSpecs
{
    private const int Records = 300;

    /// <summary>Records of one partition in the Worker's receive pipe at once: enough for a pile to wait for the slot.</summary>
    private const int InFlightPerPartition = 16;

    private const int Refused = 8;

    [Fact]
    public async Task Records_waiting_for_a_slot_are_stored_together_once_and_every_copy_of_them_on_either_path_stores_nothing_again()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await StartWithOneStoreSlotAsync(db, partitions: 3);
        var produced = Enumerable.Range(0, Records)
            .Select(i => (MessageId: Guid.NewGuid(), Value: Chunk(Event($"m-{i:D4}-a"), Event($"m-{i:D4}-b"))))
            .ToList();
        await ProduceWhileTheTableIsHeldAsync(db, pipeline, produced);

        await pipeline.WaitForStoredAsync(2 * Records, TimeSpan.FromMinutes(2));
        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(2 * Records);
        var transactions = await db.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM log_events");
        Assert.True(transactions < Records, $"{Records} records were stored in {transactions} transactions: none were merged");
        // Each record's inbox row is consumed and delivered, and was met once.
        Assert.Equal((long)Records, await db.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.inbox_state WHERE consumed IS NOT NULL AND delivered IS NOT NULL AND receive_count = 1"));

        // A second Worker of another group reads every record again on the per-record path (a throttled Worker merges
        // nothing): it must find the very inbox rows the merged transactions wrote, and store nothing.
        var perRecord = new Dictionary<string, string?>(pipeline.WorkerSettings)
        {
            ["Worker:Storing:ConsumerGroup"] = SpecNames.Unique("per-record"),
            ["Worker:Imports:ConsumerGroup"] = SpecNames.Unique("per-record-imports"),
            ["Worker:Storing:ThrottlePerChunk"] = "00:00:00.001",
        };
        await using (var second = new ServiceFactory<worker::Program>(perRecord))
        {
            using var client = second.CreateClient();
            await Eventually.TrueAsync(async () => await db.ScalarAsync<long>(
                    "SELECT count(*) FROM messaging.inbox_state WHERE receive_count = 2") == Records,
                TimeSpan.FromMinutes(2), "the per-record Worker met every merged record's inbox row");

            // Copies of every record (a producer retry, a replay) reach both Workers: the merged path meets the rows too.
            Produce(pipeline, produced);
            await Eventually.TrueAsync(async () => await db.ScalarAsync<long>(
                    "SELECT count(*) FROM messaging.inbox_state WHERE receive_count = 4") == Records,
                TimeSpan.FromMinutes(2), "both Workers met every copy's inbox row");
        }

        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(2 * Records);
        Assert.Equal((long)Records, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state"));
    }

    [Fact]
    public async Task A_burst_that_sends_every_record_twice_in_a_row_stores_each_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await StartWithOneStoreSlotAsync(db, partitions: 1);
        // A careless producer retrying at once: both copies wait for the same slot, often in the same merged batch.
        var produced = Enumerable.Range(0, Records)
            .Select(i => (MessageId: Guid.NewGuid(), Value: Chunk(Event($"twice-{i:D4}"))))
            .SelectMany(r => new[] { r, r })
            .ToList();
        await ProduceWhileTheTableIsHeldAsync(db, pipeline, produced);

        await pipeline.WaitForStoredAsync(Records, TimeSpan.FromMinutes(2));
        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(Records);
        Assert.Equal((long)Records, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state WHERE receive_count = 2"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state WHERE receive_count <> 2"));
    }

    [Fact]
    public async Task A_row_PostgreSQL_refuses_costs_the_records_waiting_with_it_nothing_and_is_dead_lettered_alone()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await StartWithOneStoreSlotAsync(db, partitions: 1);
        // Passes every check of the Worker's own; only PostgreSQL refuses it (the column holds 200 characters). It is among
        // the records that wait while the table is held, so the first merged transaction meets it.
        var produced = Enumerable.Range(0, Records)
            .Select(i => (MessageId: Guid.NewGuid(), Value: Chunk(Event($"r-{i:D4}", source: i == Refused ? new string('s', 250) : "merge-spec"))))
            .ToList();
        await ProduceWhileTheTableIsHeldAsync(db, pipeline, produced);

        var letters = await Eventually.ValueAsync(async () =>
        {
            var list = await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters");
            return list.GetArrayLength() >= 1 ? list : (JsonElement?)null;
        }, TimeSpan.FromSeconds(90), "the refused event is dead-lettered");
        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(Records - 1);
        var letter = Assert.Single(letters.EnumerateArray());
        Assert.Contains("too long", letter.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id = 'r-0008'"));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id IN ('r-0007', 'r-0009')"));
        var transactions = await db.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM log_events");
        Assert.True(transactions < Records - 1, $"{Records - 1} records were stored in {transactions} transactions: none were merged");
    }

    /// <summary>
    /// One store slot: records produced in a burst wait for it, and are merged when it frees. With the default two records
    /// of a partition in the pipe at once, one is stored while the other waits, and whether two ever meet at a free slot
    /// is a race between the thread that frees it and the one that lets the next record in.
    /// </summary>
    private static Task<Pipeline> StartWithOneStoreSlotAsync(SpecDatabase db, int partitions) =>
        Pipeline.StartAsync(db, partitions: partitions, worker: new Dictionary<string, string?>
        {
            ["Worker:Storing:StoreConcurrency"] = "1",
            ["Worker:Storing:ConcurrentChunksPerPartition"] = InFlightPerPartition.ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// Produces the records while a transaction holds <c>log_events</c> for two seconds: the slot's first store waits, and
    /// the records behind it pile up whatever the machine's load (on a busy machine the Worker could otherwise store each
    /// record before the next one reached it).
    /// </summary>
    private static async Task ProduceWhileTheTableIsHeldAsync(SpecDatabase db, Pipeline pipeline, IEnumerable<(Guid MessageId, string Value)> records)
    {
        await using var holder = await db.DataSource.OpenConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE log_events IN SHARE MODE", holder, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        Produce(pipeline, records);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await hold.RollbackAsync();
    }

    private static void Produce(Pipeline pipeline, IEnumerable<(Guid MessageId, string Value)> records)
    {
        var config = new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers, LingerMs = 5 };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        foreach (var (messageId, value) in records)
        {
            producer.Produce(pipeline.Topic, new Message<Null, byte[]>
            {
                Value = Encoding.UTF8.GetBytes(value),
                Headers = new Headers { { "MessageId", Encoding.UTF8.GetBytes(messageId.ToString()) } },
            });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    private static string Chunk(params string[] events) => $$"""{"chunkId":"{{Guid.NewGuid()}}","events":[{{string.Join(',', events)}}]}""";

    private static string Event(string id, string source = "merge-spec")
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        return $$"""
            {"id":"{{id}}","timestamp":"{{now}}","level":"INFO","message":"an event","source":"{{source}}","metadata":{"id":"{{id}}"},
             "receivedAt":"{{now}}"}
            """;
    }
}
