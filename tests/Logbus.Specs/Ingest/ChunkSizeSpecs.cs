using System.Net;
using System.Text;
using System.Text.Json;
using Logbus.Contracts;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Kafka;

namespace Logbus.Specs.Ingest;

/// <summary>
/// Sizes that agree: what the Api accepts, it cuts into records the producer and the topic take (measured as produced),
/// refuses up front what could never fit, and refuses to start with limits that contradict each other.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ChunkSizeSpecs
{
    private const int ProducerMessageMaxBytes = 1_000_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_ordinary_491_KB_batch_of_1000_events_with_nested_metadata_is_delivered_in_records_the_producer_takes()
    {
        // Nested metadata with lists: as indented JSON every number took its own deeply indented line.
        var metadata = """{"request":{"headers":{"trace":{"span":{"ids":[""" + string.Join(",", Enumerable.Range(0, 117)) + "]}}}}}";
        var body = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(i =>
            $$"""{"id":"nested-{{i:D4}}","message":"request served","source":"nested-spec","metadata":{{metadata}}}""")) + "]";
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 480_000, 500_000);

        var records = await DeliverAsync(body, 1000);

        Assert.All(records, r => Assert.True(r.Message.Value.Length <= ProducerMessageMaxBytes, $"a record of {r.Message.Value.Length:N0} bytes"));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"nested-{i:D4}"), EventIds(records).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_1_MB_batch_of_three_escape_heavy_events_is_delivered_one_record_each()
    {
        // \u0001 is one byte of text and six once escaped in JSON: three events of ~360 KB as produced, 1 MB together.
        var events = Enumerable.Range(0, 3).Select(i => new
        {
            id = $"escaped-{i}",
            message = new string('\u0001', 32_000),
            exception = new string('\u0002', 28_000),
            source = "escape-spec",
        });
        var body = JsonSerializer.Serialize(events);
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 1_000_000, 1_200_000);

        var records = await DeliverAsync(body, 3);

        Assert.All(records, r => Assert.True(r.Message.Value.Length <= ProducerMessageMaxBytes, $"a record of {r.Message.Value.Length:N0} bytes"));
        Assert.Equal(["escaped-0", "escaped-1", "escaped-2"], EventIds(records).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_event_larger_than_a_chunk_as_produced_is_refused_up_front_with_413_naming_the_setting()
    {
        await using var api = await ApiHost.StartOnOwnDatabaseAsync();
        var body = JsonSerializer.Serialize(new[]
        {
            new { id = "small", message = "m", exception = "e", source = "escape-spec" },
            new { id = "huge", message = new string('\u0001', 32_000), exception = new string('\u0002', 64_000), source = "escape-spec" },
        });

        var response = await api.Client.PostAsync("/api/logs/batch", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("Ingest:ChunkMaxBytes", problem, StringComparison.Ordinal);
        Assert.Contains("[1]", problem, StringComparison.Ordinal);
        Assert.Empty(await api.OutboxChunksAsync());
    }

    [Theory]
    [InlineData("Ingest:ChunkMaxBytes", "990000", "Kafka:MessageMaxBytes")]
    [InlineData("Kafka:MessageMaxBytes", "2000000", "Kafka:TopicMaxMessageBytes")]
    public async Task The_Api_refuses_to_start_when_chunk_producer_and_topic_sizes_disagree(string setting, string value, string named)
    {
        await using var db = await SpecDatabase.CreateAsync();

        var failure = Assert.ThrowsAny<Exception>(() => ApiHost.Start(db, new Dictionary<string, string?> { [setting] = value }));

        var message = failure.ToString();
        Assert.Contains(setting, message, StringComparison.Ordinal);
        Assert.Contains(named, message, StringComparison.Ordinal);
    }

    /// <summary>Posts a batch to an Api that delivers, and reads back the records of its chunks once the outbox drained.</summary>
    private static async Task<List<Confluent.Kafka.ConsumeResult<string?, byte[]>>> DeliverAsync(string body, int events)
    {
        await using var db = await SpecDatabase.CreateAsync();
        var topic = SpecNames.Unique("sizes");
        SharedServers.Kafka.CreateTopic(topic, 1);
        await using var api = ApiHost.Start(db, new Dictionary<string, string?> { ["Kafka:Topics:LogEvents"] = topic }, deliver: true);

        var response = await api.Client.PostAsync("/api/logs/batch", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_state") == 0, Patience,
            "the outbox drained");
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_parked"));
        var records = new List<Confluent.Kafka.ConsumeResult<string?, byte[]>>();
        await Eventually.TrueAsync(() =>
        {
            records = RawRecords.ReadAll(SharedServers.Kafka.BootstrapServers, topic, int.MaxValue, TimeSpan.FromSeconds(3));
            return EventIds(records).Count == events;
        }, Patience, $"{events} events reached the topic");
        // Compact JSON: an indented envelope made a chunk of nested metadata more than twice its size.
        Assert.All(records, r => Assert.DoesNotContain((byte)'\n', r.Message.Value));
        return records;
    }

    private static List<string> EventIds(IEnumerable<Confluent.Kafka.ConsumeResult<string?, byte[]>> records) =>
        [.. records.SelectMany(r => Chunk(r.Message.Value).Events.Select(e => e.Id))];

    /// <summary>The chunk a record carries: MassTransit's envelope holds it in <c>message</c>; a raw JSON record is the chunk itself.</summary>
    private static LogEventsAccepted Chunk(byte[] value)
    {
        using var body = JsonDocument.Parse(value);
        var message = body.RootElement.TryGetProperty("messageType", out _) ? body.RootElement.GetProperty("message") : body.RootElement;
        return message.Deserialize<LogEventsAccepted>(Json)!;
    }
}
