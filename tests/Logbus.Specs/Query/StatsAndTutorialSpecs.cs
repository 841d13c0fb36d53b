extern alias bench;

using bench::Logbus.Bench.Data;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Logbus.Specs.Query;

[Collection("query dataset")]
[Trait("Kind", "Integration")]
public sealed class StatsAndTutorialSpecs(QueryDataset dataset)
{
    private HttpClient Client => dataset.Client;

    [Fact]
    public async Task Stats_equal_the_counts_of_the_events_in_their_window()
    {
        var stats = await Client.GetFromJsonAsync<JsonElement>("/api/query/stats?hoursBack=24");
        var from = stats.GetProperty("from").GetDateTimeOffset();
        var to = stats.GetProperty("to").GetDateTimeOffset();
        var window = dataset.Events.Where(e => e.Timestamp >= from && e.Timestamp < to).ToList();

        Assert.Equal(window.Count, stats.GetProperty("total").GetInt64());
        foreach (var level in new[] { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" })
        {
            Assert.Equal(window.Count(e => e.Level == level), stats.GetProperty("byLevel").GetProperty(level).GetInt64());
        }

        var bySource = stats.GetProperty("bySource").EnumerateArray()
            .ToDictionary(s => s.GetProperty("source").GetString()!, s => s.GetProperty("count").GetInt64());
        Assert.Equal(window.GroupBy(e => e.Source).ToDictionary(g => g.Key, g => (long)g.Count()), bySource);

        Assert.Equal(1, stats.GetProperty("bucketMinutes").GetInt32());
        var timeline = stats.GetProperty("timeline").EnumerateArray()
            .SelectMany(p => p.GetProperty("counts").EnumerateObject()
                .Select(c => (p.GetProperty("start").GetDateTimeOffset(), c.Name, c.Value.GetInt64())))
            .ToHashSet();
        var expectedTimeline = window
            .GroupBy(e => (new DateTimeOffset(e.Timestamp.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero), e.Level))
            .Select(g => (g.Key.Item1, g.Key.Level, (long)g.Count()))
            .ToHashSet();
        Assert.Equal(expectedTimeline, timeline);
    }

    [Fact]
    public async Task Seed_stats_have_the_seed_shape_and_the_same_counts()
    {
        var stats = await Client.GetFromJsonAsync<JsonElement>("/gateway/api/query/stats");
        var range = stats.GetProperty("timeRange");
        var since = range.GetProperty("since").GetDateTimeOffset();
        var until = range.GetProperty("until").GetDateTimeOffset();
        var window = dataset.Events.Where(e => e.Timestamp >= since && e.Timestamp < until).ToList();

        Assert.Equal(TimeSpan.FromHours(24), until - since);
        Assert.Equal(window.Count, stats.GetProperty("totalLogs").GetInt64());
        Assert.Equal(window.GroupBy(e => e.Level).ToDictionary(g => g.Key, g => (long)g.Count()),
            stats.GetProperty("levelCounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()));
        Assert.Equal(window.GroupBy(e => e.Source).ToDictionary(g => g.Key, g => (long)g.Count()),
            stats.GetProperty("sourceCounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()));
    }

    [Fact]
    public async Task Sources_lists_each_source_of_the_window_with_its_newest_event()
    {
        var sources = await Client.GetFromJsonAsync<JsonElement>("/api/query/sources?hoursBack=2");
        var since = DateTimeOffset.UtcNow.AddHours(-2);
        var expected = dataset.Events.Where(e => e.Timestamp >= since.AddSeconds(30)).GroupBy(e => e.Source)
            .ToDictionary(g => g.Key, g => g.Max(e => e.Timestamp));

        var actual = sources.EnumerateArray()
            .ToDictionary(s => s.GetProperty("source").GetString()!, s => s.GetProperty("lastSeen").GetDateTimeOffset());
        Assert.All(expected, e => Assert.Equal(e.Value, actual[e.Key]));
        Assert.Equal(actual.Keys.Order(StringComparer.Ordinal), sources.EnumerateArray().Select(s => s.GetProperty("source").GetString()!));
    }

    [Fact]
    public async Task MinLevel_selects_that_level_and_every_more_severe_one()
    {
        var query = new ReferenceQuery(dataset.End.AddHours(-2), dataset.End, Levels: ["ERROR", "FATAL"]);
        var expected = query.Apply(dataset.Events).Select(e => e.Id).ToList();
        var window = $"from={Uri.EscapeDataString(query.From.ToString("O", CultureInfo.InvariantCulture))}"
            + $"&to={Uri.EscapeDataString(query.To.ToString("O", CultureInfo.InvariantCulture))}";

        QueryClient.SameSequence(expected, await QueryClient.AllIdsAsync(Client, $"{window}&minLevel=Error&limit=1000"), "minLevel=Error");
        QueryClient.SameSequence(expected, await QueryClient.AllIdsAsync(Client, $"{window}&level=error,critical&limit=1000"),
            "level aliases, comma-separated");
    }

    [Fact]
    public async Task Seed_logs_route_applies_level_and_source_together_in_a_spring_page()
    {
        var start = dataset.End.AddHours(-12);
        var reference = new ReferenceQuery(start, dataset.End, Levels: ["ERROR"], Sources: ["service-02"]).Apply(dataset.Events).ToList();
        var url = $"/gateway/api/query/logs?startTime={Format(start)}&endTime={Format(dataset.End)}&level=ERROR&source=service-02&page=1&size=20";

        var page = await Client.GetFromJsonAsync<JsonElement>(url);

        Assert.Equal(reference.Count, page.GetProperty("totalElements").GetInt64());
        Assert.Equal((reference.Count + 19) / 20, page.GetProperty("totalPages").GetInt32());
        Assert.Equal(1, page.GetProperty("number").GetInt32());
        Assert.Equal(20, page.GetProperty("size").GetInt32());
        Assert.False(page.GetProperty("first").GetBoolean());
        Assert.Equal(reference.Count <= 40, page.GetProperty("last").GetBoolean());
        Assert.Equal(20, page.GetProperty("numberOfElements").GetInt32());
        Assert.False(page.GetProperty("empty").GetBoolean());
        var content = page.GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(reference.Skip(20).Take(20).Select(e => e.Id), content.Select(c => c.GetProperty("id").GetString()));
        Assert.All(content, c =>
        {
            Assert.Equal("ERROR", c.GetProperty("level").GetString());
            Assert.Equal("service-02", c.GetProperty("source").GetString());
            Assert.Equal(JsonValueKind.Object, c.GetProperty("metadata").ValueKind);
            Assert.NotEqual(default, c.GetProperty("createdAt").GetDateTimeOffset());
        });

        // Past the data but within Search:MaxOffset (10,000 rows): an empty page, as Spring answers.
        var beyond = await Client.GetFromJsonAsync<JsonElement>(url.Replace("page=1", "page=400", StringComparison.Ordinal));
        Assert.True(beyond.GetProperty("empty").GetBoolean());
        Assert.Equal(0, beyond.GetProperty("numberOfElements").GetInt32());

        // Past the bound: PostgreSQL would read and drop every row before the page, so it is refused, naming the setting.
        using var tooDeep = await Client.GetAsync(url.Replace("page=1", "page=100000", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, tooDeep.StatusCode);
        var problem = await tooDeep.Content.ReadAsStringAsync();
        Assert.Contains("page", problem, StringComparison.Ordinal);
        Assert.Contains("Search:MaxOffset", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_search_counts_the_messages_containing_the_text()
    {
        var start = dataset.End.AddHours(-6);
        var reference = new ReferenceQuery(start, dataset.End, Text: "declined").Apply(dataset.Events).ToList();

        var page = await Client.GetFromJsonAsync<JsonElement>(
            $"/gateway/api/query/search?query=declined&startTime={Format(start)}&endTime={Format(dataset.End)}&size=5");

        Assert.Equal(reference.Count, page.GetProperty("totalElements").GetInt64());
        Assert.Equal(reference.Take(5).Select(e => e.Id), page.GetProperty("content").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task One_event_by_id_or_404_on_both_routes()
    {
        var known = dataset.Events[12_345];

        var api = await Client.GetFromJsonAsync<JsonElement>($"/api/query/logs/{known.Id}");
        var seed = await Client.GetFromJsonAsync<JsonElement>($"/gateway/api/query/logs/{known.Id}");

        Assert.Equal(known.Message, api.GetProperty("message").GetString());
        Assert.Equal(known.Timestamp, api.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(known.UserId, api.GetProperty("metadata").GetProperty("userId").GetString());
        Assert.Equal(known.Source, seed.GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/query/logs/no-such-event")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/gateway/api/query/logs/no-such-event")).StatusCode);
    }

    private static string Format(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));
}
