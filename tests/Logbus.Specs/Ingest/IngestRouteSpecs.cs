using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Integration")]
public sealed class IngestRouteSpecs : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartOnOwnDatabaseAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task One_event_is_answered_202_after_it_is_committed_normalized_to_the_outbox()
    {
        var response = await PostJsonAsync("/api/logs", """
            {"id":"client-1","timestamp":"2026-11-24T10:00:00","level":"Warning","message":"disk almost full","source":"host-7",
             "metadata":{"disk":"/var","free":0.03},"traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7","exception":"none"}
            """);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("accepted", answer.GetProperty("status").GetString());
        Assert.Equal("client-1", answer.GetProperty("logId").GetString());
        var stored = Assert.Single(await _api.OutboxEventsAsync());
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), stored.Timestamp);
        Assert.Equal("WARN", stored.Level);
        Assert.Equal("host-7", stored.Source);
        Assert.Equal(0.03, stored.Metadata!.Value.GetProperty("free").GetDouble());
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", stored.TraceId);
        Assert.Equal("00f067aa0ba902b7", stored.SpanId);
        Assert.Equal("none", stored.Exception);
    }

    [Theory]
    [InlineData("""{"source":"s"}""", "message")]
    [InlineData("""{"message":"m"}""", "source")]
    [InlineData("""{"message":"m","source":"s","level":"LOUD"}""", "level")]
    [InlineData("""{"message":"m","source":"s","metadata":"not an object"}""", "metadata")]
    public async Task A_bad_event_is_a_400_naming_the_field_and_nothing_is_stored(string json, string field)
    {
        var response = await PostJsonAsync("/api/logs", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Theory]
    [InlineData("/api/logs", "{not json")]
    [InlineData("/api/logs", "[]")]
    [InlineData("/api/logs/batch", """{"message":"m","source":"s"}""")]
    [InlineData("/api/logs/batch", """[{"message":"m","source":"s"}, 5]""")]
    public async Task A_body_of_the_wrong_shape_is_a_400_problem(string route, string body)
    {
        var response = await PostJsonAsync(route, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/logs/batch?partial=maybe", "partial")]
    [InlineData("/api/logs/batch?partial=", "partial")]
    public async Task A_query_value_that_cannot_be_read_is_a_400_naming_it(string route, string parameter)
    {
        var response = await PostJsonAsync(route, """[{"message":"m","source":"s"}]""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Fact]
    public async Task A_batch_is_cut_into_chunks_of_at_most_1000_events_committed_in_one_transaction()
    {
        var events = Enumerable.Range(0, 2_500).Select(i => new { id = $"batch-{i}", message = $"event {i}", source = "batch-spec" });

        var response = await _api.Client.PostAsJsonAsync("/api/logs/batch", events);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2_500, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(2_500, answer.GetProperty("logIds").GetArrayLength());
        var chunks = await _api.OutboxChunksAsync();
        Assert.Equal([1000, 1000, 500], chunks.Select(c => c.Chunk.Events.Count));
        Assert.Single(chunks.Select(c => c.OutboxId).Distinct());
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => $"batch-{i}"), chunks.SelectMany(c => c.Chunk.Events).Select(e => e.Id));
    }

    [Fact]
    public async Task A_batch_with_bad_events_stores_nothing_and_names_each_by_index()
    {
        var response = await PostJsonAsync("/api/logs/batch", """
            [{"message":"ok","source":"s"},{"message":"ok","source":"s","level":"LOUD"},{"source":"s"},{"message":"ok","source":"s"}]
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["[1].level", "[2].message"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Fact]
    public async Task A_partial_batch_stores_the_valid_events_and_reports_the_others()
    {
        var response = await PostJsonAsync("/api/logs/batch?partial=true", """
            [{"id":"a","message":"ok","source":"s"},{"id":"b","message":"ok","source":"s","level":"LOUD"},{"id":"c","message":"ok","source":"s"}]
            """);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, answer.GetProperty("accepted").GetInt32());
        var rejected = Assert.Single(answer.GetProperty("rejected").EnumerateArray());
        Assert.Equal(1, rejected.GetProperty("index").GetInt32());
        Assert.Contains("level", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["a", "c"], (await _api.OutboxEventsAsync()).Select(e => e.Id));
    }

    [Fact]
    public async Task The_seeds_routes_answer_in_the_seeds_shapes()
    {
        var ingest = await PostJsonAsync("/producer/api/logs/ingest",
            """{"level":"INFO","message":"Hello from our distributed log system!","source":"test-application","metadata":{"userId":"student123"}}""");
        var queued = await PostJsonAsync("/producer/api/logs/ingest/async", """{"level":"INFO","message":"async","source":"test-application"}""");
        var batch = await PostJsonAsync("/producer/api/logs/batch",
            """[{"level":"INFO","message":"Batch message 1","source":"batch-test"},""" +
            """{"level":"WARN","message":"Batch message 2","source":"batch-test"},""" +
            """{"level":"LOUD","message":"Batch message 3","source":"batch-test"}]""");

        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        var ingested = await ingest.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("accepted", ingested.GetProperty("status").GetString());
        Assert.Equal("Log event successfully ingested", ingested.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.Equal("Log event queued for processing", (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var counts = await batch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("completed", counts.GetProperty("status").GetString());
        Assert.Equal(3, counts.GetProperty("totalEvents").GetInt32());
        Assert.Equal(2, counts.GetProperty("successCount").GetInt32());
        Assert.Equal(1, counts.GetProperty("failureCount").GetInt32());
        Assert.Equal(4, (await _api.OutboxEventsAsync()).Count);
    }

    [Fact]
    public async Task Gzip_bodies_are_accepted_and_a_corrupt_one_is_a_400()
    {
        var body = Encoding.UTF8.GetBytes("""[{"id":"zipped","message":"compressed","source":"gzip-spec"}]""");
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(body);
        }

        var accepted = await PostAsync("/api/logs/batch", compressed.ToArray(), "application/json", "gzip");
        var corrupt = await PostAsync("/api/logs/batch", [0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5], "application/json", "gzip");
        var unknown = await PostAsync("/api/logs/batch", body, "application/json", "zstd");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("zipped", Assert.Single(await _api.OutboxEventsAsync()).Id);
        Assert.Equal(HttpStatusCode.BadRequest, corrupt.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknown.StatusCode);
    }

    private Task<HttpResponseMessage> PostJsonAsync(string route, string json) =>
        _api.Client.PostAsync(route, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<HttpResponseMessage> PostAsync(string route, byte[] body, string contentType, string encoding)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        content.Headers.ContentEncoding.Add(encoding);
        return await _api.Client.PostAsync(route, content);
    }
}
