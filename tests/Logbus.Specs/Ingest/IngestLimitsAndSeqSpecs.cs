using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Integration")]
public sealed class IngestLimitsAndSeqSpecs
{
    [Fact]
    public async Task A_body_over_the_limit_is_a_413_also_when_it_only_grows_on_decompression()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?> { ["Ingest:MaxBodyBytes"] = "65536" });
        var big = "[" + string.Join(',', Enumerable.Range(0, 1_000).Select(i => $$"""{"message":"{{new string('x', 100)}}","source":"s"}""")) + "]";
        using var bomb = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(bomb, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(big));
        }

        var plain = await api.Client.PostAsync("/api/logs/batch", new StringContent(big, Encoding.UTF8, "application/json"));
        var zipped = new ByteArrayContent(bomb.ToArray());
        zipped.Headers.ContentType = new("application/json");
        zipped.Headers.ContentEncoding.Add("gzip");
        var inflated = await api.Client.PostAsync("/api/logs/batch", zipped);

        Assert.True(bomb.Length < 65_536, "the compressed body is under the limit");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, plain.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, inflated.StatusCode);
        Assert.Contains("64 KB", (await inflated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() ?? "",
            StringComparison.Ordinal);
        Assert.Empty(await api.OutboxEventsAsync());
    }

    [Fact]
    public async Task Seq_clients_post_CLEF_or_classic_JSON_and_get_Seqs_answer()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);
        const string clef = """
            {"@t":"2026-11-24T08:00:00Z","@mt":"Order {OrderId} shipped","OrderId":42,"Application":"shop"}
            {"@t":"2026-11-24T08:00:01Z","@m":"rendered","@l":"Error","@x":"boom"}
            """;

        var byQuery = await api.Client.PostAsync("/api/events/raw?clef", new StringContent(clef, Encoding.UTF8, "application/json"));
        var byType = await api.Client.PostAsync("/api/events/raw", new StringContent(clef, Encoding.UTF8, "application/vnd.serilog.clef"));
        var ingestClef = await api.Client.PostAsync("/ingest/clef", new StringContent(clef, Encoding.UTF8, "application/vnd.serilog.clef"));
        var classic = await api.Client.PostAsync("/api/events/raw", new StringContent("""
            {"Events":[{"Timestamp":"2026-11-24T08:00:02Z","Level":"Warning","MessageTemplate":"Low {Disk}","Properties":{"Disk":"C:"}}]}
            """, Encoding.UTF8, "application/json"));
        var empty = await api.Client.PostAsync("/api/events/raw?clef", new StringContent("", Encoding.UTF8, "application/vnd.serilog.clef"));

        foreach (var response in new[] { byQuery, byType, ingestClef, classic, empty })
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("""{"MinimumLevelAccepted":null}""", await response.Content.ReadAsStringAsync());
        }

        var events = await api.OutboxEventsAsync();
        Assert.Equal(7, events.Count);
        Assert.Equal(3, events.Count(e => e.Message == "Order 42 shipped" && e.Source == "shop"));
        Assert.Equal(3, events.Count(e => e.Message == "rendered" && e.Level == "ERROR" && e.Source == "seq" && e.Exception == "boom"));
        Assert.Single(events, e => e.Message == "Low \"C:\"" && e.Level == "WARN");
    }

    [Fact]
    public async Task A_bad_CLEF_line_rejects_the_batch_and_names_the_line()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);

        var response = await api.Client.PostAsync("/api/events/raw?clef", new StringContent("""
            {"@t":"2026-11-24T08:00:00Z","@m":"fine"}
            {"@t":"2026-11-24T08:00:00Z","@m":"broken"
            """, Encoding.UTF8, "application/vnd.serilog.clef"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("CLEF line 2", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await api.OutboxEventsAsync());
    }

    [Fact]
    public async Task An_invalid_CLEF_event_rejects_the_batch_without_offering_a_partial_store_the_route_does_not_take()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);

        var response = await api.Client.PostAsync("/api/events/raw?clef", new StringContent("""
            {"@t":"2026-11-24T08:00:00Z","@m":"fine"}
            {"@t":"not a time","@m":"bad time"}
            """, Encoding.UTF8, "application/vnd.serilog.clef"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("[1].timestamp", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("partial", problem, StringComparison.Ordinal);
        Assert.Empty(await api.OutboxEventsAsync());
    }

    [Fact]
    public async Task Once_keys_are_configured_ingest_needs_one_and_a_keys_source_fills_in()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "orders",
            ["ApiKeys:Keys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData("orders-secret"u8)),
            ["ApiKeys:Keys:0:Source"] = "orders-service",
        });
        const string unnamed = """{"message":"no source of its own"}""";

        var without = await api.Client.PostAsync("/api/logs", Json(unnamed));
        var wrong = await Send(api, "/api/logs", unnamed, "X-Api-Key", "guess");
        var right = await Send(api, "/api/logs", unnamed, "X-Api-Key", "orders-secret");
        var seqHeader = await Send(api, "/api/events/raw?clef", """{"@t":"2026-11-24T08:00:00Z","@m":"from Seq"}""", "X-Seq-ApiKey", "orders-secret");
        var seqQuery = await api.Client.PostAsync("/api/events/raw?clef&apiKey=orders-secret",
            Json("""{"@t":"2026-11-24T08:00:00Z","@m":"by query"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("./logbus keys add", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
        Assert.Equal(HttpStatusCode.Created, seqHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Created, seqQuery.StatusCode);
        Assert.All(await api.OutboxEventsAsync(), e => Assert.Equal("orders-service", e.Source));
        Assert.Equal(3, (await api.OutboxEventsAsync()).Count);
    }

    [Fact]
    public async Task With_no_keys_configured_a_presented_key_is_ignored_as_Seq_clients_without_a_key_send_null()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);
        const string clef = """{"@t":"2026-11-24T08:00:00Z","@m":"from a client configured without a key"}""";

        // Datalust's JavaScript client sends the header with the text "null" when no key is configured.
        var nullKey = await Send(api, "/api/events/raw?clef", clef, "X-Seq-ApiKey", "null");
        var emptyKey = await Send(api, "/api/events/raw?clef", clef, "X-Seq-ApiKey", " ");
        var someKey = await Send(api, "/api/logs", """{"message":"m","source":"s"}""", "X-Api-Key", "a-key-this-logbus-never-issued");

        Assert.Equal(HttpStatusCode.Created, nullKey.StatusCode);
        Assert.Equal(HttpStatusCode.Created, emptyKey.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, someKey.StatusCode);
        Assert.Equal(3, (await api.OutboxEventsAsync()).Count);
    }

    [Fact]
    public async Task With_keys_configured_a_null_or_blank_key_counts_as_no_key()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "orders",
            ["ApiKeys:Keys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData("null"u8)),
        });

        var nullKey = await Send(api, "/api/logs", """{"message":"m","source":"s"}""", "X-Seq-ApiKey", "null");
        var blankKey = await Send(api, "/api/logs", """{"message":"m","source":"s"}""", "X-Api-Key", "  ");

        Assert.Equal(HttpStatusCode.Unauthorized, nullKey.StatusCode);
        Assert.Contains("API key required", await nullKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, blankKey.StatusCode);
        Assert.Contains("API key required", await blankKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await api.OutboxEventsAsync());
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_Retry_After()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "slow",
            ["ApiKeys:Keys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData("slow-secret"u8)),
            ["ApiKeys:Keys:0:RequestsPerSecond"] = "5",
        });

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            responses.Add(await Send(api, "/api/logs", """{"message":"m","source":"s"}""", "X-Api-Key", "slow-secret"));
        }

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Accepted) is >= 5 and < 20);
        Assert.All(limited, r => Assert.True(int.Parse(r.Headers.GetValues("Retry-After").Single(),
            System.Globalization.CultureInfo.InvariantCulture) >= 1));
        Assert.Equal("application/problem+json", limited[0].Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Concurrent_single_event_requests_share_transactions()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);
        const int requests = 300;

        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(i =>
            api.Client.PostAsync("/api/logs", Json($$"""{"id":"single-{{i}}","message":"m","source":"s"}"""))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var chunks = await api.OutboxChunksAsync();
        Assert.Equal(requests, chunks.Sum(c => c.Chunk.Events.Count));
        // One outbox per committed transaction: without group commit there would be one per request.
        var transactions = chunks.Select(c => c.OutboxId).Distinct().Count();
        Assert.True(transactions < requests / 2, $"{requests} requests took {transactions} transactions");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> Send(ApiHost api, string route, string json, string header, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = Json(json) };
        request.Headers.Add(header, key);
        return api.Client.SendAsync(request);
    }
}
