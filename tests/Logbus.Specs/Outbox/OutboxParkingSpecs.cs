using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Contracts;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Kafka;

namespace Logbus.Specs.Outbox;

/// <summary>
/// The Api's outbox never gets stuck: a record Kafka can never take is parked with its reason, counted and reported,
/// and a message that keeps failing backs off on its own while everything committed after it is delivered.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class OutboxParkingSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_record_too_large_for_the_producer_is_parked_with_its_reason_counted_and_reported_and_later_commits_flow()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var topic = SpecNames.Unique("parking");
        SharedServers.Kafka.CreateTopic(topic, 1);

        await using (var writer = ApiHost.Start(db, Settings(topic)))
        {
            await PostBatchAsync(writer, "big", 1);
            // 1.1 MB in one record: over the producer's message.max.bytes (1,000,000), as a chunk cut by the wrong measure was.
            await db.ExecuteAsync("""
                UPDATE messaging.outbox_message SET body = jsonb_set(body::jsonb, '{events,0,message}', to_jsonb(repeat('x', 1100000)))::text
                WHERE body LIKE '%big-0%'
                """);
            await PostBatchAsync(writer, "next", 3);
        }

        await using var api = ApiHost.Start(db, Settings(topic), deliver: true);
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_parked") == 1, Patience,
            "the oversized record was parked");
        Assert.Equal("too_large", await db.ScalarAsync<string>("SELECT reason FROM messaging.outbox_parked"));
        Assert.Contains("size", await db.ScalarAsync<string>("SELECT error FROM messaging.outbox_parked"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("big-0", await db.ScalarAsync<string>("SELECT body FROM messaging.outbox_parked"), StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_state") == 0, Patience,
            "nothing is left waiting in the outbox");

        // Committed after the parked one, and the service neither polls nor retries within the spec's patience: only the
        // commit's own wake-up can deliver it.
        await PostBatchAsync(api, "later", 2);
        var ids = EventIds(RawRecords.ReadAll(SharedServers.Kafka.BootstrapServers, topic, 2, Patience));
        Assert.Equal(["later-0", "later-1", "next-0", "next-1", "next-2"], ids.Order(StringComparer.Ordinal));

        using var health = JsonDocument.Parse(await api.Client.GetStringAsync("/health/ready"));
        Assert.Equal("Degraded", health.RootElement.GetProperty("status").GetString());
        var parked = health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "outbox-parked");
        Assert.Equal("Degraded", parked.GetProperty("status").GetString());
        Assert.Contains("1 too_large", parked.GetProperty("description").GetString(), StringComparison.Ordinal);

        var metrics = await api.Client.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("logbus_messaging_outbox_parked_messages_total{", StringComparison.Ordinal)
            && l.Contains("reason=\"too_large\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_backs_off_alone_and_messages_committed_after_it_are_delivered()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var topic = SpecNames.Unique("backoff");
        SharedServers.Kafka.CreateTopic(topic, 1);

        await using (var writer = ApiHost.Start(db, Settings(topic)))
        {
            await PostBatchAsync(writer, "stuck", 1);
            // A send that fails before reaching Kafka, for a reason nobody calls permanent: it is retried, never parked.
            await db.ExecuteAsync("UPDATE messaging.outbox_message SET content_type = 'not a content type' WHERE body LIKE '%stuck-0%'");
            await PostBatchAsync(writer, "first", 1);
        }

        await using var api = ApiHost.Start(db, Settings(topic), deliver: true);
        await Eventually.TrueAsync(async () => await db.ScalarAsync<int>("SELECT coalesce(max(attempts), 0) FROM messaging.outbox_state") >= 3,
            Patience, "the failing outbox was attempted again, on its own schedule");

        await PostBatchAsync(api, "after", 1);
        var ids = EventIds(RawRecords.ReadAll(SharedServers.Kafka.BootstrapServers, topic, 2, Patience));
        Assert.Equal(["after-0", "first-0"], ids.Order(StringComparer.Ordinal));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_state WHERE next_attempt IS NOT NULL"));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message"));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_parked"));
    }

    /// <summary>Polling and the longest retry pause far beyond the spec's patience, so only wake-ups and per-outbox backoff deliver.</summary>
    private static Dictionary<string, string?> Settings(string topic) => new()
    {
        ["Kafka:Topics:LogEvents"] = topic,
        ["Messaging:BusOutbox:PollInterval"] = "00:10:00",
        ["Messaging:BusOutbox:MaxRetryDelay"] = "00:10:00",
    };

    private static async Task PostBatchAsync(ApiHost api, string prefix, int count)
    {
        var events = Enumerable.Range(0, count).Select(i => new { id = $"{prefix}-{i}", message = "m", source = "parking-spec" });
        var response = await api.Client.PostAsJsonAsync("/api/logs/batch", events);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
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
