extern alias api;
extern alias query;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Security;

/// <summary>Keys restricted to <c>orders-*</c>, and imports that belong to the key that started them.</summary>
[Trait("Kind", "Integration")]
public sealed class SourceRestrictedKeySpecs
{
    [Fact]
    public async Task A_read_key_restricted_to_orders_sees_only_those_sources_in_search_stats_histogram_export_sources_one_event_and_tail()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        await LogEventRows.InsertAsync(db, "o1", now.AddMinutes(-3), source: "orders-api");
        await LogEventRows.InsertAsync(db, "o2", now.AddMinutes(-2), source: "orders-worker");
        await LogEventRows.InsertAsync(db, "b1", now.AddMinutes(-1), source: "billing");
        await using var query = new ServiceFactory<query::Program>(KeySettings.For(db));
        using var client = query.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", KeySettings.OrdersRead);

        var search = await client.GetFromJsonAsync<JsonElement>("/api/query/logs");
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/query/stats");
        var sources = await client.GetFromJsonAsync<JsonElement>("/api/query/sources");
        var tutorial = await client.GetFromJsonAsync<JsonElement>("/gateway/api/query/logs");
        using var billingEvent = await client.GetAsync("/api/query/logs/b1");
        using var billingSearch = await client.GetAsync("/api/query/logs?source=billing");
        var whoami = await client.GetFromJsonAsync<JsonElement>("/api/query/whoami");
        var histogram = await client.GetFromJsonAsync<JsonElement>("/api/query/histogram");
        var export = await client.GetStringAsync("/api/query/export?format=ndjson");

        Assert.Equal(["o2", "o1"], search.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(2, stats.GetProperty("total").GetInt64());
        Assert.Equal(["orders-api", "orders-worker"],
            stats.GetProperty("bySource").EnumerateArray().Select(s => s.GetProperty("source").GetString()).Order());
        Assert.Equal(["orders-api", "orders-worker"], sources.EnumerateArray().Select(s => s.GetProperty("source").GetString()));
        Assert.Equal(2, tutorial.GetProperty("content").GetArrayLength());
        Assert.Equal(2, histogram.GetProperty("total").GetInt64());
        Assert.Equal(["o2", "o1"], export.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, billingEvent.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, billingSearch.StatusCode);
        Assert.Equal("orders-reader", whoami.GetProperty("name").GetString());
        Assert.Equal(["orders-*"], whoami.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tail = await client.GetAsync("/api/query/tail", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await tail.Content.ReadAsStreamAsync(cancel.Token));
        Assert.StartsWith(": live tail started", await reader.ReadLineAsync(cancel.Token));
        await LogEventRows.InsertAsync(db, "b2", DateTimeOffset.UtcNow, source: "billing");
        await LogEventRows.InsertAsync(db, "o3", DateTimeOffset.UtcNow, source: "orders-api");
        var streamed = new List<string>();
        while (!streamed.Contains("o3"))
        {
            var line = await reader.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("the tail ended");
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                streamed.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("id").GetString()!);
            }
        }

        Assert.DoesNotContain("b2", streamed);
    }

    [Fact]
    public async Task An_ingest_key_restricted_to_orders_may_send_only_orders_sources_and_a_refused_batch_stores_nothing()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, KeySettings.For(db));

        using var outside = await api.Client.SendAsync(KeySettings.Request(HttpMethod.Post, "/api/logs/batch", KeySettings.OrdersIngest,
            """[{"message":"m","source":"orders-api"},{"message":"m","source":"billing"}]"""));
        var refusedOutbox = await api.OutboxEventsAsync();
        using var inside = await api.Client.SendAsync(KeySettings.Request(HttpMethod.Post, "/api/logs", KeySettings.OrdersIngest,
            """{"message":"m","source":"orders-api"}"""));

        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Equal("source", (await outside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Empty(refusedOutbox);
        Assert.Equal(HttpStatusCode.Accepted, inside.StatusCode);
        Assert.Equal("orders-api", Assert.Single(await api.OutboxEventsAsync()).Source);
    }

    [Fact]
    public async Task An_import_is_read_and_cancelled_by_the_key_that_started_it_or_by_read_and_admin_keys_and_a_refused_cancel_leaves_it_running()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, KeySettings.For(db));
        var id = Guid.NewGuid();
        await db.ExecuteAsync($"""
            INSERT INTO import_state (correlation_id, current_state, format, lines_read, accepted, rejected, stored, duplicates, skipped,
                chunks_stored, chunks_seen, upload_failed, started_at, last_progress_at, started_by)
            VALUES ('{id}', 'Receiving', 'ndjson', 0, 0, 0, 0, 0, 0, 0, '\x', false, now(), now(), 'orders-ingester')
            """);
        async Task<HttpStatusCode> SendAsync(HttpMethod method, string key)
        {
            using var response = await api.Client.SendAsync(KeySettings.Request(method, $"/api/imports/{id}", key));
            return response.StatusCode;
        }

        var readByOtherIngestKey = await SendAsync(HttpMethod.Get, KeySettings.Ingest);
        var readByStarter = await SendAsync(HttpMethod.Get, KeySettings.OrdersIngest);
        var readByReadKey = await SendAsync(HttpMethod.Get, KeySettings.Read);
        var cancelByOtherIngestKey = await SendAsync(HttpMethod.Delete, KeySettings.Ingest);
        var cancelByReadKey = await SendAsync(HttpMethod.Delete, KeySettings.Read);
        var stillRunning = await db.ScalarAsync<bool>($"SELECT cancel_requested_at IS NULL FROM import_state WHERE correlation_id = '{id}'");
        var cancelByAdmin = await SendAsync(HttpMethod.Delete, KeySettings.Admin);

        Assert.Equal(HttpStatusCode.Forbidden, readByOtherIngestKey);
        Assert.Equal(HttpStatusCode.OK, readByStarter);
        Assert.Equal(HttpStatusCode.OK, readByReadKey);
        Assert.Equal(HttpStatusCode.Forbidden, cancelByOtherIngestKey);
        Assert.Equal(HttpStatusCode.Forbidden, cancelByReadKey);
        Assert.True(stillRunning);
        Assert.Equal(HttpStatusCode.Accepted, cancelByAdmin);
    }

    [Fact]
    public async Task An_import_records_the_name_of_the_key_that_started_it()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, KeySettings.For(db));
        using var upload = KeySettings.Request(HttpMethod.Post, "/api/imports?source=orders-api", KeySettings.OrdersIngest);
        upload.Content = new StringContent("""{"message":"imported"}""" + "\n", System.Text.Encoding.UTF8, "application/x-ndjson");

        using var accepted = await api.Client.SendAsync(upload);
        var importId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
        using var status = await api.Client.SendAsync(KeySettings.Request(HttpMethod.Get, $"/api/imports/{importId}", KeySettings.OrdersIngest));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("orders-ingester", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("startedBy").GetString());
    }

    [Fact]
    public async Task An_import_by_an_ingest_key_restricted_to_orders_rejects_the_lines_of_other_sources_and_keeps_the_rest()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, KeySettings.For(db));
        using var upload = KeySettings.Request(HttpMethod.Post, "/api/imports?source=orders-api", KeySettings.OrdersIngest);
        upload.Content = new StringContent(
            """{"message":"default source"}""" + "\n" + """{"message":"outside","source":"billing"}""" + "\n"
            + """{"message":"inside","source":"orders-worker"}""" + "\n",
            System.Text.Encoding.UTF8, "application/x-ndjson");

        using var accepted = await api.Client.SendAsync(upload);
        var summary = await accepted.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(2, summary.GetProperty("accepted").GetInt32());
        Assert.Equal(1, summary.GetProperty("rejected").GetInt32());
    }
}
