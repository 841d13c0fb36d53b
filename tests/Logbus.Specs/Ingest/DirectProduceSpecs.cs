using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Contracts;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Imports;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Worker;

namespace Logbus.Specs.Ingest;

/// <summary>
/// The Api produces accepted chunks straight to Kafka and answers after the broker's acknowledgement; a chunk Kafka does
/// not take in time (broker away or slow) or may not take now (the retention guard holds the topic) goes to the outbox
/// under the same MessageId, and either way the Worker stores each event once.
/// </summary>
[Trait("Kind", "Chaos")]
public sealed class DirectProduceSpecs
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task With_the_broker_up_chunks_are_produced_directly_the_outbox_untouched_and_each_event_stored_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 4);

        var ids = await pipeline.IngestAsync(2_500, batchSize: 500, prefix: "direct");
        ids.AddRange(await SendSinglesAsync(pipeline.Api.Client, "direct-single", 20));

        await pipeline.WaitForStoredAsync(ids.Count, TimeSpan.FromSeconds(60));
        await pipeline.AssertExactlyAsync(ids.Count);
        // Not a row went through the outbox table: its key sequence was never drawn from.
        Assert.False(await db.ScalarAsync<bool>("SELECT is_called FROM messaging.outbox_message_sequence"));

        // Each record carries its chunk's id as MessageId: the id the outbox would have given it, and the inbox's key.
        var records = ReadTopic(pipeline.Broker.BootstrapServers, pipeline.Topic);
        Assert.All(records, r => Assert.Equal(r.Chunk.ChunkId, r.MessageId));
        Assert.Equal(ids.Order(StringComparer.Ordinal), records.SelectMany(r => r.Chunk.Events.Select(e => e.Id)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_imports_chunks_are_produced_directly_and_only_its_start_its_last_chunk_and_its_end_are_committed_to_the_outbox()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // The outbox is not delivered: what the upload committed to it stays there to be read.
        await using var api = ApiHost.Start(db, deliver: false, kafka: SharedServers.Kafka.BootstrapServers, settings: new Dictionary<string, string?>
        {
            ["Ingest:DirectProduce"] = "true",
            ["Ingest:ChunkMaxEvents"] = "1000",
            // Until its first look the guard holds the topic, and the upload starts at once.
            ["Kafka:RetentionGuard:Enabled"] = "false",
        });

        var response = await api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(4_500)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var importId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();

        var produced = ReadTopic(SharedServers.Kafka.BootstrapServers, api.Topic);
        Assert.Equal([0, 1, 2, 3], produced.Select(r => r.Chunk.ChunkNumber ?? -1).Order());
        Assert.All(produced, r => Assert.Equal((importId, r.Chunk.ChunkId, 1000), (r.Chunk.ImportId!.Value, r.MessageId, r.Chunk.Events.Count)));

        var outbox = new List<(string Type, string Body)>();
        await using (var command = db.DataSource.CreateCommand(
                         "SELECT message_type, body FROM messaging.outbox_message WHERE outbox_id IS NOT NULL ORDER BY sequence_number"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                outbox.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Equal(["ImportStarted", "LogEventsAccepted", "ImportReceived"], outbox.Select(m => m.Type.Split(':')[^1]));
        var last = ChunkOf(Encoding.UTF8.GetBytes(outbox[1].Body));
        Assert.Equal((importId, 4, 500), (last.ImportId!.Value, last.ChunkNumber!.Value, last.Events.Count));
        Assert.Equal(5, JsonDocument.Parse(outbox[2].Body).RootElement.GetProperty("chunks").GetInt32());
    }

    [Fact]
    public async Task Once_a_chunk_of_an_import_fell_back_to_the_outbox_the_rest_of_the_upload_follows_without_trying_Kafka()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, broker, partitions: 2, apiSettings: new Dictionary<string, string?>
        {
            ["Ingest:ChunkMaxEvents"] = "1000",
            ["Ingest:DirectProduceTimeout"] = "00:00:00.300",
            // A breaker that lets a trial through at once: only the upload's own choice keeps its later chunks off Kafka.
            ["Ingest:DirectProduceBreakDuration"] = "00:00:00.001",
            ["Kafka:RetentionGuard:Enabled"] = "false",
            ["Messaging:BusOutbox:MaxRetryDelay"] = "00:00:02",
        });

        // The broker takes the records but answers after the Api stopped waiting: the first chunk is produced and also
        // committed to the outbox.
        broker.SetBrokerRoundTrip(1, TimeSpan.FromSeconds(2));
        var response = await pipeline.Api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(3_500)));
        broker.SetBrokerRoundTrip(1, TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await pipeline.WaitForStoredAsync(3_500, TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => (await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message")) == 0,
            TimeSpan.FromSeconds(30), "the outbox drained");
        var twice = ReadTopic(broker.BootstrapServers, pipeline.Topic).GroupBy(r => r.MessageId).Where(g => g.Count() > 1).ToList();
        Assert.Equal([0], twice.Select(g => g.First().Chunk.ChunkNumber ?? -1));
        await pipeline.AssertExactlyAsync(3_500);
    }

    [Fact]
    public async Task With_the_broker_down_requests_are_accepted_through_the_outbox_and_stored_once_when_the_broker_is_back()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, broker, partitions: 3, apiSettings: new Dictionary<string, string?>
        {
            ["Ingest:DirectProduceTimeout"] = "00:00:02",
            ["Ingest:DirectProduceBreakDuration"] = "00:00:01",
            ["Messaging:BusOutbox:MaxRetryDelay"] = "00:00:02",
        });
        var before = await pipeline.IngestAsync(200, batchSize: 50, prefix: "up");
        broker.SetAllBrokersDown();

        var down = await pipeline.IngestAsync(600, batchSize: 50, parallel: 2, prefix: "down");
        down.AddRange(await SendSinglesAsync(pipeline.Api.Client, "down-single", 10));
        // Everything accepted while the broker was down waits in the outbox (a slow machine may have sent an earlier chunk
        // there too, when its acknowledgement took longer than the timeout).
        var waiting = (await OutboxIdsAsync(db)).ToHashSet(StringComparer.Ordinal);
        Assert.All(down, id => Assert.Contains(id, waiting));

        broker.SetAllBrokersUp();
        var total = before.Count + down.Count;
        await pipeline.WaitForStoredAsync(total, TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => (await OutboxIdsAsync(db)).Count == 0, TimeSpan.FromSeconds(30), "the outbox drained");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await pipeline.AssertExactlyAsync(total);

        // The chunks that waited in the outbox reached Kafka as the direct ones did: raw JSON, the chunk id as MessageId.
        var records = ReadTopic(pipeline.Broker.BootstrapServers, pipeline.Topic);
        Assert.All(records, r => Assert.Equal(("application/json", r.Chunk.ChunkId), (r.ContentType, r.MessageId)));
        Assert.Equal(before.Concat(down).Order(StringComparer.Ordinal),
            records.SelectMany(r => r.Chunk.Events.Select(e => e.Id)).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task While_the_retention_guard_holds_the_topic_chunks_go_to_the_outbox_and_not_to_Kafka()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // A watched group that never reads and a retention of one byte: the first chunk produced puts the topic over it.
        await using var api = ApiHost.Start(db, deliver: true, kafka: SharedServers.Kafka.BootstrapServers, settings: new Dictionary<string, string?>
        {
            ["Kafka:RetentionGuard:LogEventsConsumerGroups"] = SpecNames.Unique("nobody"),
            ["Kafka:RetentionGuard:RetentionBytes"] = "1",
            ["Kafka:RetentionGuard:CheckInterval"] = "00:00:00.100",
        });

        var sent = new List<string>();
        var batch = 0;
        await Eventually.TrueAsync(async () =>
        {
            var events = Enumerable.Range(0, 5).Select(i => new { id = $"held{batch}-{i}", message = "m", source = "held-spec" }).ToList();
            batch++;
            var response = await api.Client.PostAsJsonAsync("/api/logs/batch", events);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            sent.AddRange(events.Select(e => e.id));
            return (await OutboxIdsAsync(db)).Count > 0;
        }, TimeSpan.FromSeconds(30), "a chunk waits in the outbox while the topic is held");

        var held = await OutboxIdsAsync(db);
        var produced = ReadTopic(SharedServers.Kafka.BootstrapServers, api.Topic).SelectMany(r => r.Chunk.Events.Select(e => e.Id)).ToList();
        Assert.NotEmpty(produced);
        Assert.Empty(held.Intersect(produced, StringComparer.Ordinal));
        Assert.Equal(sent.Order(StringComparer.Ordinal), held.Concat(produced).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_chunk_acknowledged_after_the_Api_stopped_waiting_is_produced_twice_under_one_MessageId_and_stored_once()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, broker, partitions: 2, apiSettings: new Dictionary<string, string?>
        {
            ["Ingest:DirectProduceTimeout"] = "00:00:00.300",
            ["Messaging:BusOutbox:MaxRetryDelay"] = "00:00:02",
        });
        var before = await pipeline.IngestAsync(20, batchSize: 10, parallel: 1, prefix: "warm");

        // The broker takes the records but answers late: the Api gives up waiting, commits the chunk to the outbox, and
        // the outbox delivers it a second time.
        broker.SetBrokerRoundTrip(1, TimeSpan.FromSeconds(2));
        var late = await pipeline.IngestAsync(30, batchSize: 10, parallel: 1, prefix: "late");
        broker.SetBrokerRoundTrip(1, TimeSpan.Zero);

        var total = before.Count + late.Count;
        await pipeline.WaitForStoredAsync(total, TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => (await OutboxIdsAsync(db)).Count == 0, TimeSpan.FromSeconds(30), "the outbox drained");
        var records = ReadTopic(broker.BootstrapServers, pipeline.Topic);
        var twice = records.GroupBy(r => r.MessageId).Where(g => g.Count() > 1).ToList();
        Assert.NotEmpty(twice);
        Assert.All(twice, g => Assert.Single(g.Select(r => r.Chunk.ChunkId).Distinct()));

        await Task.Delay(TimeSpan.FromSeconds(2));
        await pipeline.AssertExactlyAsync(total);
        // The inbox kept one row per MessageId: the second copy was recognised as a redelivery, not stored again.
        Assert.Equal(records.Select(r => r.MessageId).Distinct().Count(),
            await db.ScalarAsync<long>("SELECT count(DISTINCT message_id) FROM messaging.inbox_state"));
        Assert.Equal(records.Select(r => r.MessageId).Distinct().Count(), await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state"));
    }

    private static async Task<List<string>> SendSinglesAsync(HttpClient client, string prefix, int count)
    {
        var ids = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var id = $"{prefix}-{i}";
            var response = await client.PostAsJsonAsync("/api/logs", new { id, message = "single", source = "direct-spec" });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            lock (ids)
            {
                ids.Add(id);
            }
        });
        return ids;
    }

    private static async Task<List<string>> OutboxIdsAsync(SpecDatabase db)
    {
        var ids = new List<string>();
        await using var command = db.DataSource.CreateCommand("SELECT body FROM messaging.outbox_message WHERE outbox_id IS NOT NULL");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.AddRange(ChunkOf(Encoding.UTF8.GetBytes(reader.GetString(0))).Events.Select(e => e.Id));
        }

        return ids;
    }

    /// <summary>Every record of the topic: its MessageId and Content-Type headers and its chunk.</summary>
    private static List<(Guid MessageId, string ContentType, LogEventsAccepted Chunk)> ReadTopic(string bootstrapServers, string topic)
    {
        var records = new List<(Guid, string, LogEventsAccepted)>();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = SpecNames.Unique("reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        consumer.Subscribe(topic);
        var finished = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (finished.Count < partitions && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (record is null)
            {
                continue;
            }

            if (record.IsPartitionEOF)
            {
                finished.Add(record.Partition.Value);
                continue;
            }

            var messageId = Guid.Parse(Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("MessageId")), CultureInfo.InvariantCulture);
            var contentType = Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("Content-Type"));
            records.Add((messageId, contentType, ChunkOf(record.Message.Value)));
        }

        Assert.Equal(partitions, finished.Count);
        return records;
    }

    /// <summary>A chunk from a record or outbox body: raw JSON, or MassTransit's envelope with the chunk in <c>message</c>.</summary>
    private static LogEventsAccepted ChunkOf(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var message = document.RootElement.TryGetProperty("messageType", out _) ? document.RootElement.GetProperty("message") : document.RootElement;
        return message.Deserialize<LogEventsAccepted>(Json)!;
    }
}
