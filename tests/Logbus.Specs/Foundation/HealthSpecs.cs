extern alias api;
extern alias query;
extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Contracts;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Foundation;

[Trait("Kind", "Chaos")]
public sealed class HealthSpecs
{
    [Theory]
    [InlineData("api", "/producer/api/logs/health", "logbus-api")]
    [InlineData("worker", "/actuator/health", "logbus-worker")]
    [InlineData("query", "/gateway/api/query/health", "logbus-query")]
    public async Task Each_service_answers_its_seed_health_route_while_its_dependencies_are_up(string service, string route, string name)
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start(service, ServiceSettings.For(db));
        using var client = factory.CreateClient();

        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), $"{service} is ready");
        var answer = await client.GetFromJsonAsync<JsonElement>(route);

        Assert.Equal("healthy", answer.GetProperty("status").GetString());
        Assert.Equal(name, answer.GetProperty("service").GetString());
        Assert.True(answer.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Contains("process_cpu_seconds_total", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Readiness_turns_false_when_PostgreSQL_stops_and_true_again_after_it_restarts()
    {
        using var postgres = SharedServers.Track(LocalPostgres.Create("readiness-" + Guid.NewGuid().ToString("N")[..6]));
        await using var db = await SpecDatabase.CreateAsync(postgres);
        await using var factory = Start("api", ServiceSettings.For(db));
        using var client = factory.CreateClient();
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the Api is ready");

        postgres.Stop(immediate: true);

        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(10), "readiness reports the outage");
        var seed = await client.GetAsync("/producer/api/logs/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, seed.StatusCode);
        var answer = await seed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unhealthy", answer.GetProperty("status").GetString());
        Assert.Contains("postgresql", answer.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));

        postgres.Start();

        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), "readiness recovers after PostgreSQL restarts");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/producer/api/logs/health")).StatusCode);
    }

    [Fact]
    public async Task The_Worker_turns_not_ready_within_10_s_of_Kafka_becoming_unreachable_and_ready_again_after_it_returns()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        broker.CreateTopic(Topics.LogEvents, 2);
        broker.CreateTopic(Topics.Imports, 2);
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start("worker", ServiceSettings.For(db, broker.BootstrapServers));
        using var client = factory.CreateClient();
        await ReadinessAsync(client, "Healthy", TimeSpan.FromSeconds(30), "the Worker is ready");

        broker.SetAllBrokersDown();

        // The Worker can store nothing without Kafka: out of readiness, naming the check.
        var down = await ReadinessAsync(client, "Unhealthy", TimeSpan.FromSeconds(10), "the Worker reports the Kafka outage");
        Assert.Equal("Unhealthy", CheckStatus(down, "kafka"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/actuator/health")).StatusCode);

        broker.SetAllBrokersUp();

        await ReadinessAsync(client, "Healthy", TimeSpan.FromSeconds(20), "the Worker is ready again after Kafka returns");
    }

    [Fact]
    public async Task With_Kafka_unreachable_the_Api_reports_it_within_10_s_and_stays_ready_because_it_keeps_accepting_into_its_outbox()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, kafka: broker.BootstrapServers);
        await ReadinessAsync(api.Client, "Healthy", TimeSpan.FromSeconds(30), "the Api is ready");

        broker.SetAllBrokersDown();

        var down = await ReadinessAsync(api.Client, "Degraded", TimeSpan.FromSeconds(10), "the Api reports the Kafka outage");
        Assert.Equal("Degraded", CheckStatus(down, "kafka"));
        Assert.Equal(HttpStatusCode.Accepted,
            (await api.Client.PostAsJsonAsync("/api/logs", new { level = "WARN", source = "readiness-spec", message = "while Kafka is down" }))
            .StatusCode);
        var seed = await api.Client.GetFromJsonAsync<JsonElement>("/producer/api/logs/health");
        Assert.Contains("kafka", seed.GetProperty("degraded").EnumerateArray().Select(e => e.GetString()));

        broker.SetAllBrokersUp();

        await ReadinessAsync(api.Client, "Healthy", TimeSpan.FromSeconds(20), "the Api reports Kafka healthy again");
    }

    [Fact]
    public async Task With_Redis_unreachable_Query_reports_it_within_10_s_and_stays_ready_because_it_answers_from_PostgreSQL()
    {
        using var redis = SharedServers.Track(LocalRedis.Create("readiness-" + Guid.NewGuid().ToString("N")[..6]));
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start("query", ServiceSettings.For(db, redis: redis.ConnectionString));
        using var client = factory.CreateClient();
        await ReadinessAsync(client, "Healthy", TimeSpan.FromSeconds(30), "Query is ready");

        redis.Stop();

        var down = await ReadinessAsync(client, "Degraded", TimeSpan.FromSeconds(10), "Query reports the Redis outage");
        Assert.Equal("Degraded", CheckStatus(down, "redis"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/query/stats?hoursBack=1")).StatusCode);

        redis.Start();

        await ReadinessAsync(client, "Healthy", TimeSpan.FromSeconds(20), "Query reports Redis healthy again");
    }

    [Fact]
    public async Task Query_reports_a_Redis_that_bounds_no_memory_as_Degraded_naming_maxmemory_and_the_eviction_policy()
    {
        using var redis = SharedServers.Track(LocalRedis.Create("unbounded-" + Guid.NewGuid().ToString("N")[..6]));
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start("query", ServiceSettings.For(db, redis: redis.ConnectionString));
        using var client = factory.CreateClient();
        await ReadinessAsync(client, "Healthy", TimeSpan.FromSeconds(30), "Query is ready with a bounded Redis");
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServers().Single();

        await server.ConfigSetAsync("maxmemory-policy", "noeviction");

        var unbounded = await ReadinessAsync(client, "Degraded", TimeSpan.FromSeconds(10), "Query reports the unbounded Redis");
        var redisCheck = unbounded.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "redis");
        Assert.Contains("maxmemory-policy noeviction", redisCheck.GetProperty("description").GetString());

        await server.ConfigSetAsync("maxmemory-policy", "allkeys-lru");
        await server.ConfigSetAsync("maxmemory", "0");
        unbounded = await ReadinessAsync(client, "Degraded", TimeSpan.FromSeconds(10), "Query reports a Redis with maxmemory 0");
        redisCheck = unbounded.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "redis");
        Assert.Contains("maxmemory 0", redisCheck.GetProperty("description").GetString());

        await server.ConfigSetAsync("maxmemory", "64mb");
        await ReadinessAsync(client, "Healthy", TimeSpan.FromSeconds(10), "Query reports the bounded Redis healthy again");
    }

    /// <summary>
    /// Waits until /health/ready reports <paramref name="status"/> (Healthy and Degraded answer 200, Unhealthy 503)
    /// and returns the report.
    /// </summary>
    private static async Task<JsonElement> ReadinessAsync(HttpClient client, string status, TimeSpan timeout, string what)
    {
        var report = default(JsonElement);
        await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync("/health/ready");
            report = await response.Content.ReadFromJsonAsync<JsonElement>();
            var expectedCode = status == "Unhealthy" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK;
            return response.StatusCode == expectedCode && report.GetProperty("status").GetString() == status;
        }, timeout, what);
        return report;
    }

    private static string? CheckStatus(JsonElement report, string check) =>
        report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == check).GetProperty("status").GetString();

    private static IAsyncDisposableFactory Start(string service, Dictionary<string, string?> settings) => service switch
    {
        "api" => new Hosted<api::Program>(new ServiceFactory<api::Program>(settings)),
        "worker" => new Hosted<worker::Program>(new ServiceFactory<worker::Program>(settings)),
        "query" => new Hosted<query::Program>(new ServiceFactory<query::Program>(settings)),
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    private interface IAsyncDisposableFactory : IAsyncDisposable
    {
        HttpClient CreateClient();
    }

    private sealed class Hosted<T>(ServiceFactory<T> factory) : IAsyncDisposableFactory
        where T : class
    {
        public HttpClient CreateClient() => factory.CreateClient();

        public ValueTask DisposeAsync() => factory.DisposeAsync();
    }
}
