using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Worker;

namespace Logbus.Specs.Isolation;

/// <summary>
/// A chunk produced straight to the topic (as a producer that bypassed the Api's validation would) holding good events
/// and events PostgreSQL cannot store: the good ones are stored once, each bad one is dead-lettered alone with its reason.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ChunkIsolationSpecs
{
    [Fact]
    public async Task Each_event_PostgreSQL_cannot_store_is_dead_lettered_alone_with_its_reason_and_the_rest_of_its_chunk_is_stored_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1);
        var bad = new Dictionary<string, (string Json, string Reason)>
        {
            ["bad-number"] = (Event("bad-number", metadata: """{"n":1e999999}"""), "1e999999"),
            ["bad-surrogate"] = (Event("bad-surrogate", metadata: """{"k":"\ud800"}"""), "surrogate"),
            ["bad-nul"] = (Event("bad-nul", message: "\"before\\u0000after\""), "NUL"),
            ["bad-text"] = (Event("bad-text", message: "\"half a pair: \\ud800\""), "unpaired surrogate"),
            // Passes every check of the Worker's own; only PostgreSQL refuses it (the column holds 200 characters).
            ["bad-source"] = (Event("bad-source", source: $"\"{new string('s', 250)}\""), "too long"),
        };
        var events = Enumerable.Range(0, 20).Select(i => Event($"good-{i}", metadata: $$"""{"i":{{i}}}""")).ToList();
        events.Insert(3, bad["bad-number"].Json);
        events.Insert(8, bad["bad-surrogate"].Json);
        events.Insert(12, bad["bad-nul"].Json);
        events.Insert(17, bad["bad-source"].Json);
        events.Insert(20, bad["bad-text"].Json);
        var chunk = $$"""{"chunkId":"{{Guid.NewGuid()}}","events":[{{string.Join(',', events)}}]}""";
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(pipeline.Topic, new Message<Null, byte[]>
            {
                Value = Encoding.UTF8.GetBytes(chunk),
                Headers = new Headers { { "MessageId", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()) } },
            });
        }

        var letters = await Eventually.ValueAsync(async () =>
        {
            var list = await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters");
            return list.GetArrayLength() >= 5 ? list : (JsonElement?)null;
        }, TimeSpan.FromSeconds(60), "each bad event is dead-lettered");
        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(20);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id LIKE 'bad-%'"));

        // Each dead letter holds one event, the bad one, and says why it was refused.
        var records = ReadAll(pipeline.Broker.BootstrapServers, pipeline.Topic + ".dlq");
        Assert.Equal(5, records.Count);
        Assert.Equal(5, letters.GetArrayLength());
        foreach (var record in records)
        {
            using var value = JsonDocument.Parse(record.Message.Value);
            var held = value.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
            var id = Assert.Single(held);
            var reason = Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("MT-Fault-Message"));
            Assert.Contains(bad[id].Reason, reason, StringComparison.Ordinal);
            Assert.Equal(pipeline.Topic, Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("Kafka-Original-Topic")));
        }

        Assert.Equal(5, await PrometheusScrape.SumAsync(pipeline.WorkerClient, "logbus_worker_events_isolated_total"));
        Assert.Equal(1, await PrometheusScrape.SumAsync(pipeline.WorkerClient, "logbus_worker_events_isolated_total", ("reason", "sqlstate_22001")));

        // Replayed, a bad event is refused again, alone: dead-lettered once more, nothing stored.
        var number = letters.EnumerateArray().Single(l => l.GetProperty("reason").GetString()!.Contains("1e999999", StringComparison.Ordinal));
        var replay = await pipeline.WorkerClient.PostAsync($"/api/dead-letters/{number.GetProperty("id").GetString()}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        await Eventually.TrueAsync(async () => (await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters")).GetArrayLength() == 6,
            TimeSpan.FromSeconds(60), "the replayed bad event is dead-lettered again");
        await pipeline.AssertExactlyAsync(20);

        // Once its cause is fixed, a replayed event is stored, once however often it is replayed.
        await db.ExecuteAsync("ALTER TABLE log_events ALTER COLUMN source TYPE varchar(300)");
        var source = letters.EnumerateArray().Single(l => l.GetProperty("reason").GetString()!.Contains("too long", StringComparison.Ordinal));
        for (var i = 0; i < 2; i++)
        {
            var replayed = await pipeline.WorkerClient.PostAsync($"/api/dead-letters/{source.GetProperty("id").GetString()}/replay", null);
            Assert.Equal(HttpStatusCode.Accepted, replayed.StatusCode);
        }

        await pipeline.WaitForStoredAsync(21, TimeSpan.FromSeconds(60));
        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(21);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id = 'bad-source'"));
    }

    /// <summary>
    /// The outbox stored chunks in MassTransit's envelope before it stored raw JSON (and does with CaptureEnvelopes): such a
    /// record, still in an outbox at an upgrade, cut its bad event out as a raw chunk does, not failing whole.
    /// </summary>
    [Fact]
    public async Task An_event_that_cannot_be_stored_in_a_chunk_in_MassTransits_envelope_is_dead_lettered_alone()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1);
        var events = new[] { Event("env-good-0"), Event("env-bad-nul", message: "\"before\\u0000after\""), Event("env-good-1") };
        var chunkId = Guid.NewGuid();
        var envelope = $$$"""
            {"messageId":"{{{Guid.NewGuid()}}}","messageType":["urn:message:Logbus.Contracts:LogEventsAccepted"],
             "message":{"chunkId":"{{{chunkId}}}","events":[{{{string.Join(',', events)}}}]}}
            """;
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(pipeline.Topic, new Message<Null, byte[]>
            {
                Value = Encoding.UTF8.GetBytes(envelope),
                Headers = new Headers { { "Content-Type", "application/vnd.masstransit+json"u8.ToArray() } },
            });
        }

        await pipeline.WaitForStoredAsync(2, TimeSpan.FromSeconds(60));
        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(2);
        var record = Assert.Single(ReadAll(pipeline.Broker.BootstrapServers, pipeline.Topic + ".dlq"));
        using var value = JsonDocument.Parse(record.Message.Value);
        var held = Assert.Single(value.RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal("env-bad-nul", held.GetProperty("id").GetString());
        Assert.Contains("NUL", Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("MT-Fault-Message")), StringComparison.Ordinal);
    }

    private static string Event(string id, string message = "\"an event\"", string source = "\"isolation-spec\"", string metadata = "null")
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        return $$"""
            {"id":"{{id}}","timestamp":"{{now}}","level":"INFO","message":{{message}},"source":{{source}},
             "metadata":{{metadata}},"receivedAt":"{{now}}"}
            """;
    }

    private static List<ConsumeResult<Ignore, byte[]>> ReadAll(string bootstrapServers, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = SpecNames.Unique("dlq-reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<Ignore, byte[]>>();
        var finished = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } record)
            {
                continue;
            }

            if (!record.IsPartitionEOF)
            {
                records.Add(record);
            }
            else if (finished.Add(record.Partition.Value) && finished.Count == consumer.Assignment.Count)
            {
                break;
            }
        }

        return records;
    }
}
