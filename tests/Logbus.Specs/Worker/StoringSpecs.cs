using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Contracts;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Worker;

[Trait("Kind", "Chaos")]
public sealed class StoringSpecs
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Every_one_of_100k_accepted_events_is_stored_exactly_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db);

        await pipeline.IngestAsync(100_000);

        await pipeline.WaitForStoredAsync(100_000, TimeSpan.FromMinutes(4));
        await pipeline.AssertExactlyAsync(100_000);
    }

    [Fact]
    public async Task A_message_delivered_twice_and_events_sent_again_are_stored_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 3);
        await pipeline.IngestAsync(1_000, batchSize: 100, prefix: "dup");
        await pipeline.WaitForStoredAsync(1_000, TimeSpan.FromMinutes(1));

        // Every record of the topic again, as a producer retry or a replay would deliver it: same MessageId.
        var records = ReadAll(pipeline.Broker.BootstrapServers, pipeline.Topic, 3);
        Assert.Equal(10, records.Count);
        using (var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers })
            .Build())
        {
            foreach (var record in records)
            {
                await producer.ProduceAsync(pipeline.Topic, new Message<byte[]?,
                    byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = record.Message.Headers });
            }
        }

        // The same events (same ids and timestamps) in new requests: new messages, old events.
        await pipeline.IngestAsync(1_000, batchSize: 100, prefix: "dup");

        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(1_000);
        // Ten original messages and ten new ones; the redelivered copies were recognised and added nothing.
        Assert.Equal(20L, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state"));
    }

    [Fact]
    public async Task A_Worker_killed_abruptly_mid_stream_and_started_again_stores_every_event_exactly_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, workerAsProcess: true);
        await pipeline.IngestAsync(60_000);

        await Eventually.TrueAsync(async () => await pipeline.StoredAsync() >= 5_000, TimeSpan.FromMinutes(2), "the Worker is storing");
        pipeline.WorkerProcess!.Kill();
        var storedWhenKilled = await pipeline.StoredAsync();
        await pipeline.WorkerProcess.StartAsync();

        await pipeline.WaitForStoredAsync(60_000, TimeSpan.FromMinutes(4));
        Assert.True(storedWhenKilled < 60_000, "the Worker was killed mid-stream");
        await pipeline.AssertExactlyAsync(60_000);

        // The restarted process counted what it stored, and reports the lag of this topic's partitions, drained to zero.
        var worker = pipeline.WorkerClient;
        Assert.InRange(await PrometheusScrape.SumAsync(worker, "logbus_worker_events_stored_total") ?? 0, 1, 60_000 - storedWhenKilled);
        Assert.True(await PrometheusScrape.SumAsync(worker, "kafka_messages_consumed_total") > 0);
        Assert.True(await PrometheusScrape.SumAsync(worker, "log_processing_duration_seconds_count") > 0);
        await Eventually.TrueAsync(async () =>
            await PrometheusScrape.SumAsync(worker, "logbus_messaging_kafka_consumer_lag", ("topic", pipeline.Topic)) == 0,
            TimeSpan.FromSeconds(30), "the lag gauge of the topic reads zero");
    }

    [Fact]
    public async Task With_PostgreSQL_stopped_for_20_seconds_consumption_pauses_resumes_and_stores_exactly_once()
    {
        using var postgres = SharedServers.Track(LocalPostgres.Create("worker-pg-" + Guid.NewGuid().ToString("N")[..6], durable: true));
        await using var db = await SpecDatabase.CreateAsync(postgres);
        await using var pipeline = await Pipeline.StartAsync(db);
        await pipeline.IngestAsync(40_000);
        await Eventually.TrueAsync(async () => await pipeline.StoredAsync() >= 2_000, TimeSpan.FromMinutes(2), "the Worker is storing");

        postgres.Stop(immediate: true);
        await Task.Delay(TimeSpan.FromSeconds(20));
        postgres.Start();

        await pipeline.WaitForStoredAsync(40_000, TimeSpan.FromMinutes(4));
        await pipeline.AssertExactlyAsync(40_000);
        var deadLetters = await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters");
        Assert.Empty(deadLetters.EnumerateArray());
        Assert.True(await PrometheusScrape.SumAsync(pipeline.WorkerClient, "logbus_worker_retries_total") > 0, "the outage was retried");
        Assert.True(await PrometheusScrape.SumAsync(pipeline.WorkerClient, "kafka_consumption_errors_total") > 0, "failed attempts were counted");
    }

    [Fact]
    public async Task A_poison_record_is_dead_lettered_while_the_rest_is_stored_and_once_its_cause_is_fixed_a_replay_stores_it_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1);
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build())
        {
            // A producer that bypassed the Api's validation: a source longer than the column allows.
            var poison = new LogEventsAccepted(Guid.NewGuid(), null, null,
                [new AcceptedLogEvent("poison-1", DateTimeOffset.UtcNow, "INFO", "too long a source", new string('s', 250), null, null, null, null,
                    DateTimeOffset.UtcNow)]);
            await producer.ProduceAsync(pipeline.Topic, new Message<Null, byte[]>
            {
                Value = JsonSerializer.SerializeToUtf8Bytes(poison, Json),
                Headers = new Headers { { "MessageId", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()) } },
            });
            await producer.ProduceAsync(pipeline.Topic, new Message<Null, byte[]> { Value = "not json at all"u8.ToArray() });
        }

        await pipeline.IngestAsync(500, batchSize: 100, prefix: "good");
        await pipeline.WaitForStoredAsync(500, TimeSpan.FromMinutes(1));

        var letters = await Eventually.ValueAsync(async () =>
        {
            var list = await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters");
            return list.GetArrayLength() == 2 ? list : (JsonElement?)null;
        }, TimeSpan.FromSeconds(30), "both poison records are dead-lettered");
        var tooLong = letters.EnumerateArray().Single(l => l.GetProperty("reason").GetString()!.Contains("too long", StringComparison.Ordinal));
        Assert.Equal(pipeline.Topic, tooLong.GetProperty("originalTopic").GetString());
        Assert.Equal(1, tooLong.GetProperty("attempts").GetInt32());
        Assert.Contains(letters.EnumerateArray(), l => l.GetProperty("exceptionType").GetString() is not null && l.GetProperty("id")
            .GetString() != tooLong.GetProperty("id").GetString());
        await pipeline.AssertExactlyAsync(500);
        Assert.Equal(2, await PrometheusScrape.SumAsync(pipeline.WorkerClient, "logbus_messaging_kafka_dead_lettered", ("topic", pipeline.Topic)));

        // The fix: the column takes longer sources now.
        await db.ExecuteAsync("ALTER TABLE log_events ALTER COLUMN source TYPE varchar(300)");
        var id = tooLong.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.WorkerClient.PostAsync($"/api/dead-letters/{id}/replay", null)).StatusCode);
        await pipeline.WaitForStoredAsync(501, TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.WorkerClient.PostAsync($"/api/dead-letters/{id}/replay", null)).StatusCode);

        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(501);
        var replayed = (await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters")).EnumerateArray()
            .Single(l => l.GetProperty("id").GetString() == id);
        Assert.NotEqual(JsonValueKind.Null, replayed.GetProperty("replayedAt").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await pipeline.WorkerClient.PostAsync("/api/dead-letters/0-999999/replay", null)).StatusCode);
    }

    private static List<ConsumeResult<byte[]?, byte[]>> ReadAll(string bootstrapServers, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = SpecNames.Unique("reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<byte[]?, byte[]>>();
        var finished = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (finished.Count < partitions && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } record)
            {
                continue;
            }

            if (record.IsPartitionEOF)
            {
                finished.Add(record.Partition.Value);
            }
            else
            {
                records.Add(record);
            }
        }

        return records;
    }
}
