using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Contracts;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Chaos")]
public sealed class IngestOutageSpecs
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task With_PostgreSQL_stopped_ingest_answers_503_writes_nothing_partial_and_recovers_after_restart()
    {
        using var postgres = SharedServers.Track(LocalPostgres.Create("ingest-pg-" + Guid.NewGuid().ToString("N")[..6], durable: true));
        await using var db = await SpecDatabase.CreateAsync(postgres);
        await using var api = ApiHost.Start(db);
        var outcomes = new List<(int Batch, HttpStatusCode Status, string? RetryAfter)>();

        async Task SendAsync(int batch)
        {
            var events = Enumerable.Range(0, 10).Select(i => new { id = $"b{batch}-{i}", message = "m", source = "outage-spec" });
            var response = await api.Client.PostAsJsonAsync("/api/logs/batch", events);
            outcomes.Add((batch, response.StatusCode, response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : null));
        }

        var next = 0;
        for (; next < 10; next++)
        {
            await SendAsync(next);
        }

        postgres.Stop(immediate: true);
        for (var i = 0; i < 10; i++, next++)
        {
            await SendAsync(next);
        }

        postgres.Start();
        await Eventually.TrueAsync(async () =>
        {
            await SendAsync(next++);
            return outcomes[^1].Status == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(30), "ingest succeeds again after PostgreSQL restarted");

        Assert.All(outcomes, o => Assert.Contains(o.Status, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));
        var down = outcomes.Where(o => o.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.InRange(down.Count, 10, outcomes.Count);
        Assert.All(down, o => Assert.True(int.Parse(o.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1));
        var stored = (await api.OutboxEventsAsync()).GroupBy(e => e.Id.Split('-')[0]).ToDictionary(g => g.Key, g => g.Count());
        foreach (var (batch, status, _) in outcomes)
        {
            // An accepted batch is there whole. A refused one is there whole or not at all (its commit may have
            // landed just as the connection broke), never in part.
            stored.TryGetValue($"b{batch}", out var present);
            Assert.True(status == HttpStatusCode.Accepted ? present == 10 : present is 0 or 10,
                $"batch {batch} ({status}) has {present} of 10 events stored");
        }

        // The HTTP metrics count what the clients got: 503s, not the 500 the refusing exception would have been. (The
        // exception handler clears the endpoint, so a refused request is counted without its route.)
        var posts = (await api.Client.GetStringAsync("/metrics")).Split('\n')
            .Where(l => l.StartsWith("http_requests_received_total{", StringComparison.Ordinal)
                && l.Contains("method=\"POST\"", StringComparison.Ordinal))
            .ToList();
        Assert.DoesNotContain(posts, l => l.Contains("code=\"500\"", StringComparison.Ordinal));
        var counted503 = posts.Where(l => l.Contains("code=\"503\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(counted503 >= down.Count, $"503s counted: {counted503}, answered: {down.Count}; counted: {string.Join(" | ", posts)}");
    }

    [Fact]
    public async Task With_Kafka_down_ingest_keeps_answering_and_the_backlog_reaches_the_topic_once_Kafka_is_back()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        await using var db = await SpecDatabase.CreateAsync();
        var topic = SpecNames.Unique("ingest");
        broker.CreateTopic(topic, 3);
        await using var api = ApiHost.Start(db, deliver: true, kafka: broker.BootstrapServers, settings: new Dictionary<string, string?>
        {
            ["Kafka:Topics:LogEvents"] = topic,
            ["Messaging:BusOutbox:MaxRetryDelay"] = "00:00:02",
        });
        broker.SetAllBrokersDown();

        var ids = new List<string>();
        for (var batch = 0; batch < 30; batch++)
        {
            var events = Enumerable.Range(0, 20).Select(i => new { id = $"k{batch}-{i}", message = "m", source = "kafka-outage" }).ToList();
            var response = await api.Client.PostAsJsonAsync("/api/logs/batch", events);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.AddRange(events.Select(e => e.id));
        }

        Assert.NotEmpty(await api.OutboxChunksAsync());
        broker.SetAllBrokersUp();

        await Eventually.TrueAsync(async () => (await api.OutboxChunksAsync()).Count == 0, TimeSpan.FromSeconds(90), "the outbox drained to Kafka");
        var produced = ReadTopic(broker.BootstrapServers, api.Topic);
        Assert.Equal(ids.Order(StringComparer.Ordinal), produced.Distinct().Order(StringComparer.Ordinal));
    }

    private static List<string> ReadTopic(string bootstrapServers, string topic)
    {
        var ids = new List<string>();
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
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
        while (finished.Count < 3 && DateTime.UtcNow < deadline)
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

            using var body = JsonDocument.Parse(record.Message.Value);
            var message = body.RootElement.TryGetProperty("messageType", out _) ? body.RootElement.GetProperty("message") : body.RootElement;
            ids.AddRange(message.Deserialize<LogEventsAccepted>(Json)!.Events.Select(e => e.Id));
        }

        return ids;
    }
}
