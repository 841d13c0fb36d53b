using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

/// <summary>
/// Input PostgreSQL could not store is refused at the door with a 400 naming the field, never accepted to fail the
/// Worker's chunk (and other callers' events with it) later, and never a 500.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class UnstorableInputSpecs : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartOnOwnDatabaseAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("""{"message":"m","source":"s","metadata":{"n":1e999999}}""", "metadata")]
    [InlineData("""{"message":"m","source":"s","metadata":{"n":-1e-16384}}""", "metadata")]
    [InlineData("""{"message":"m","source":"s","metadata":{"k":"\ud800"}}""", "metadata")]
    [InlineData("""{"message":"m","source":"s","metadata":{"\udc00":1}}""", "metadata")]
    [InlineData("""{"message":"m","source":"s","metadata":{"list":[1,{"k":"a\u0000"}]}}""", "metadata")]
    [InlineData("""{"message":"lone \ud800 surrogate","source":"s"}""", "message")]
    [InlineData("""{"message":"m","source":"s\udfff"}""", "source")]
    [InlineData("""{"message":"m","source":"s","exception":"\ud83d"}""", "exception")]
    [InlineData("""{"id":"\ud800","message":"m","source":"s"}""", "id")]
    [InlineData("""{"message":"m","source":"s","traceId":"\ud800"}""", "traceId")]
    [InlineData("""{"message":"m","source":"s","level":"\ud800"}""", "level")]
    [InlineData("""{"message":"m","source":"s","timestamp":"\ud800"}""", "timestamp")]
    public async Task An_event_PostgreSQL_cannot_store_is_a_400_naming_the_field(string json, string field)
    {
        var response = await PostAsync("/api/logs", Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Theory]
    [InlineData("/api/logs")]
    [InlineData("/api/logs/batch")]
    [InlineData("/producer/api/logs/ingest")]
    [InlineData("/ingest/clef")]
    [InlineData("/api/events/raw")]
    public async Task A_body_that_is_not_UTF8_is_a_400_on_every_route(string route)
    {
        var text = route switch
        {
            "/ingest/clef" => """{"@mt":"bad X here","Application":"s"}""",
            "/api/events/raw" => """{"Events":[{"MessageTemplate":"bad X here","Properties":{"Application":"s"}}]}""",
            _ when route.EndsWith("batch", StringComparison.Ordinal) => """[{"message":"bad X here","source":"s"}]""",
            _ => """{"message":"bad X here","source":"s"}""",
        };
        var bytes = Encoding.UTF8.GetBytes(text);
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xFF;

        var response = await PostAsync(route, bytes);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Fact]
    public async Task The_tutorials_batch_counts_an_event_that_is_not_UTF8_as_a_failure()
    {
        var bytes = Encoding.UTF8.GetBytes("""[{"message":"good","source":"s"},{"message":"bad X here","source":"s"}]""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;

        var response = await PostAsync("/producer/api/logs/batch", bytes);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, answer.GetProperty("failureCount").GetInt32());
        Assert.Equal(["good"], (await _api.OutboxEventsAsync()).Select(e => e.Message));
    }

    [Fact]
    public async Task A_partial_batch_stores_the_storable_events_and_names_the_others()
    {
        var response = await PostAsync("/api/logs/batch?partial=true", Encoding.UTF8.GetBytes("""
            [{"id":"good-1","message":"m","source":"s"},
             {"id":"bad-1","message":"m","source":"s","metadata":{"n":1e999999}},
             {"id":"good-2","message":"m","source":"s","metadata":{"k":"\ud83d\ude00"}},
             {"id":"bad-2","message":"m","source":"s","metadata":{"k":"\ud800"}}]
            """));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([1, 3], answer.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(["good-1", "good-2"], (await _api.OutboxEventsAsync()).Select(e => e.Id).Order());
    }

    [Fact]
    public async Task An_event_dated_before_1970_without_an_id_gets_one()
    {
        var response = await PostAsync("/api/logs", Encoding.UTF8.GetBytes("""{"message":"m","source":"s","timestamp":"1969-07-20T20:17:40Z"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = Assert.Single(await _api.OutboxEventsAsync());
        Assert.Equal(new DateTimeOffset(1969, 7, 20, 20, 17, 40, TimeSpan.Zero), stored.Timestamp);
    }

    private Task<HttpResponseMessage> PostAsync(string route, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(
            route == "/ingest/clef" ? "application/vnd.serilog.clef" : "application/json");
        return _api.Client.PostAsync(route, content);
    }
}
