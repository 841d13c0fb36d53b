using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Imports;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

/// <summary>
/// Every route keeps to the timestamp policy: an event older than the retention or further ahead than
/// <c>Ingest:MaxTimestampAhead</c> is a 400 naming the event and the field (a rejected line, with its number, in an
/// import), never accepted to be dropped by retention or to wait in the default partition.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class TimestampPolicyRouteSpecs : IAsyncLifetime
{
    private static readonly string Old = Format(DateTimeOffset.UtcNow.AddDays(-31));
    private static readonly string Recent = Format(DateTimeOffset.UtcNow.AddHours(-1));
    private const string Future = "2999-01-01T00:00:00Z";

    private SpecDatabase _db = null!;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _db = await SpecDatabase.CreateAsync();
        _api = ApiHost.Start(_db, new Dictionary<string, string?> { ["Storage:Partitions:RetentionDays"] = "30" });
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_single_event_out_of_the_window_is_a_400_naming_the_timestamp_and_the_setting()
    {
        var future = await ProblemAsync("/api/logs", $$"""{"message":"m","source":"s","timestamp":"{{Future}}"}""");
        var old = await ProblemAsync("/api/logs", $$"""{"message":"m","source":"s","timestamp":"{{Old}}"}""");

        Assert.Contains("Ingest:MaxTimestampAhead", Reason(future, "timestamp"), StringComparison.Ordinal);
        Assert.Contains("Storage:Partitions:RetentionDays", Reason(old, "timestamp"), StringComparison.Ordinal);
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Fact]
    public async Task A_batch_names_the_event_by_index_and_stores_nothing()
    {
        var problem = await ProblemAsync("/api/logs/batch", $$"""
            [{"message":"fine","source":"s","timestamp":"{{Recent}}"},{"message":"late","source":"s","timestamp":"{{Future}}"}]
            """);

        Assert.Contains("Ingest:MaxTimestampAhead", Reason(problem, "[1].timestamp"), StringComparison.Ordinal);
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Fact]
    public async Task The_tutorial_routes_apply_it()
    {
        var problem = await ProblemAsync("/producer/api/logs/ingest", $$"""{"message":"m","source":"s","timestamp":"{{Old}}"}""");
        Assert.Contains("Storage:Partitions:RetentionDays", Reason(problem, "timestamp"), StringComparison.Ordinal);

        var batch = await _api.Client.PostAsync("/producer/api/logs/batch", Json($$"""
            [{"message":"fine","source":"s","timestamp":"{{Recent}}"},{"message":"late","source":"s","timestamp":"{{Future}}"}]
            """));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        Assert.Equal(1, (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("failureCount").GetInt32());
        Assert.Equal(["fine"], (await _api.OutboxEventsAsync()).Select(e => e.Message));
    }

    [Fact]
    public async Task The_Seq_routes_apply_it_to_CLEF_and_classic_JSON()
    {
        var clef = new StringContent($$"""
            {"@t":"{{Recent}}","@m":"fine"}
            {"@t":"{{Future}}","@m":"late"}
            """, Encoding.UTF8, "application/vnd.serilog.clef");
        var clefProblem = await ProblemAsync("/ingest/clef", clef);
        Assert.Contains("Ingest:MaxTimestampAhead", Reason(clefProblem, "[1].timestamp"), StringComparison.Ordinal);

        var classic = await ProblemAsync("/api/events/raw", $$"""{"Events":[{"Timestamp":"{{Old}}","MessageTemplate":"old"}]}""");
        Assert.Contains("Storage:Partitions:RetentionDays", Reason(classic, "[0].timestamp"), StringComparison.Ordinal);
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Fact]
    public async Task An_import_rejects_the_line_with_its_number()
    {
        var response = await _api.Client.PostAsync("/api/imports?fileName=dated.ndjson", ImportFiles.Content([
            $$"""{"message":"fine","source":"s","timestamp":"{{Recent}}"}""",
            $$"""{"message":"old","source":"s","timestamp":"{{Old}}"}""",
            $$"""{"message":"late","source":"s","timestamp":"{{Future}}"}""",
        ]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((3, 1, 2), (answer.GetProperty("linesRead").GetInt64(), answer.GetProperty("accepted").GetInt64(),
            answer.GetProperty("rejected").GetInt64()));
        Assert.Equal(["fine"], (await OutboxMessagesAsync("LogEventsAccepted"))
            .SelectMany(m => m.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString())));
        var errors = (await OutboxMessagesAsync("ImportReceived")).Single().GetProperty("errors").EnumerateArray()
            .Select(e => (Line: e.GetProperty("line").GetInt64(), Reason: e.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal([2L, 3L], errors.Select(e => e.Line));
        Assert.Contains("Storage:Partitions:RetentionDays", errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("Ingest:MaxTimestampAhead", errors[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_ahead_beyond_the_prepared_partitions_stops_the_start()
    {
        var failure = Assert.ThrowsAny<Exception>(() => ApiHost.Start(_db, new Dictionary<string, string?>
        {
            ["Ingest:MaxTimestampAhead"] = "8.00:00:00",
            ["Storage:Partitions:DaysAhead"] = "7",
        }));

        Assert.Contains("Ingest:MaxTimestampAhead must be at most Storage:Partitions:DaysAhead", failure.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The messages of one type in the outbox (an import's chunks and its end travel there side by side).</summary>
    private async Task<List<JsonElement>> OutboxMessagesAsync(string type)
    {
        await using var command = _db.DataSource.CreateCommand(
            "SELECT body FROM messaging.outbox_message WHERE message_type LIKE '%' || @type || '%' ORDER BY sequence_number");
        command.Parameters.AddWithValue("type", type);
        var messages = new List<JsonElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var body = JsonDocument.Parse(reader.GetString(0));
            // Raw JSON: the outbox stores a topic send as the message itself.
            messages.Add(body.RootElement.Clone());
        }

        return messages;
    }

    private Task<JsonElement> ProblemAsync(string route, string json) => ProblemAsync(route, Json(json));

    private async Task<JsonElement> ProblemAsync(string route, HttpContent content)
    {
        var response = await _api.Client.PostAsync(route, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Reason(JsonElement problem, string field) =>
        problem.GetProperty("errors").TryGetProperty(field, out var reasons) ? reasons[0].GetString()! : problem.ToString();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Format(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
