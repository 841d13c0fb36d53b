extern alias api;
extern alias query;
extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Foundation;

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
