extern alias bench;

using System.Globalization;
using System.Net;
using System.Text.Json;
using bench::Logbus.Bench.Data;
using CsvHelper;
using Logbus.Specs.Hostile;
using Logbus.Specs.Infrastructure;
using Logbus.Testing;
using Npgsql;
using NpgsqlTypes;
using Xunit.Abstractions;

namespace Logbus.Specs.Query;

/// <summary>
/// <c>GET /api/query/export</c> against the Query service run as a process: every match, in the search's order, in both
/// formats, with resident memory flat however many rows stream. The row count is the environment variable
/// <c>LOGBUS_EXPORT_SPEC_ROWS</c> (default 50,000, so CI stays quick; 1,000,000 shows the constant memory at scale).
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ExportSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const double MaxGrowthMegabytes = 50;

    private static readonly string[] AwkwardMessages =
    [
        "He said \"hi\", then left",
        "line one\nline two\r\nline three",
        "a,b,,c",
        "\"",
        " padded ",
        "naïve ✓ 日本",
    ];

    private readonly DateTimeOffset _end = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute,
        TimeSpan.Zero).AddMinutes(-5);

    private SpecDatabase _db = null!;
    private ServiceProcess _query = null!;
    private HttpClient _client = null!;
    private List<GeneratedEvent> _events = [];

    private static int Rows => int.TryParse(Environment.GetEnvironmentVariable("LOGBUS_EXPORT_SPEC_ROWS"), CultureInfo.InvariantCulture,
        out var rows) && rows > 0 ? rows : 50_000;

    public async Task InitializeAsync()
    {
        _events = [.. EventGenerator.Generate(Rows, _end, TimeSpan.FromDays(1))];
        _db = await SpecDatabase.CreateAsync();
        await QueryDataset.LoadAsync(_db, _events);
        await InsertAwkwardAsync();
        await _db.ExecuteAsync("ANALYZE log_events");
        _query = new ServiceProcess("Logbus.Query", RepositoryPaths.Configuration,
            ServiceSettings.With(ServiceSettings.For(_db), ("Cache:KeyPrefix", _db.Name + ":")));
        await _query.StartAsync();
        _client = new HttpClient { BaseAddress = _query.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _query.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Every_match_streams_in_both_formats_in_the_search_order_in_constant_memory()
    {
        var window = $"from={Uri.EscapeDataString(_end.AddDays(-2).ToString("O", CultureInfo.InvariantCulture))}"
            + $"&to={Uri.EscapeDataString(_end.ToString("O", CultureInfo.InvariantCulture))}";
        var all = $"{window}&filter={Uri.EscapeDataString("Has(userId)")}";
        // Warm up on an export of a few pages (JIT, pools, the garbage collector's budgets), so that what is measured is
        // what streaming many more rows adds.
        var warmUp = $"{window}&filter={Uri.EscapeDataString("@Level in ['WARN', 'ERROR', 'FATAL']")}";
        await ReadNdjsonAsync(warmUp, row => row.GetProperty("id").GetString()!);
        await ReadCsvAsync(warmUp, row => row.GetField("id")!);

        var (ndjson, ndjsonSeconds, ndjsonGrowth) = await MeasureAsync(() => ReadNdjsonAsync(all, row => row.GetProperty("id").GetString()!));
        var (csv, csvSeconds, csvGrowth) = await MeasureAsync(() => ReadCsvAsync(all, row => row.GetField("id")!));
        output.WriteLine($"{ndjson.Count:N0} rows exported: NDJSON in {ndjsonSeconds:0.0} s, Query's resident memory peaking "
            + $"{ndjsonGrowth:0.0} MB above its start; CSV in {csvSeconds:0.0} s, {csvGrowth:0.0} MB; load average "
            + File.ReadAllText("/proc/loadavg").Trim());

        var expected = _events.Select(e => (e.Timestamp, e.Id)).Concat(Awkward())
            .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal).Select(e => e.Id).ToList();
        QueryClient.SameSequence(expected, ndjson, "NDJSON export");
        QueryClient.SameSequence(expected, csv, "CSV export");
        Assert.True(ndjsonGrowth < MaxGrowthMegabytes, $"Query grew by {ndjsonGrowth:0} MB exporting {expected.Count:N0} rows as NDJSON");
        Assert.True(csvGrowth < MaxGrowthMegabytes, $"Query grew by {csvGrowth:0} MB exporting {expected.Count:N0} rows as CSV");
    }

    [Fact]
    public async Task Both_formats_hold_exactly_what_search_returns_quotes_commas_and_newlines_included()
    {
        var window = $"from={Uri.EscapeDataString(_end.AddDays(-2).ToString("O", CultureInfo.InvariantCulture))}";
        var query = $"{window}&filter={Uri.EscapeDataString("@Level = 'FATAL' or userId = 'awkward'")}";
        var searched = await SearchAsync(query);

        var ndjson = await ReadNdjsonAsync(query, row => row.Clone());
        var csv = await ReadCsvAsync(query, Fields);

        Assert.Equal(searched.Select(e => e.GetRawText()), ndjson.Select(e => e.GetRawText()));
        Assert.Equal(searched.Count, csv.Count);
        foreach (var (item, row) in searched.Zip(csv))
        {
            Assert.Equal(item.GetProperty("id").GetString(), row["id"]);
            Assert.Equal(item.GetProperty("message").GetString(), row["message"]);
            Assert.Equal(item.GetProperty("exception").GetString() ?? "", row["exception"]);
            Assert.Equal(item.GetProperty("source").GetString(), row["source"]);
            Assert.Equal(item.GetProperty("timestamp").GetDateTimeOffset(), DateTimeOffset.Parse(row["timestamp"], CultureInfo.InvariantCulture));
            Assert.True(JsonElement.DeepEquals(item.GetProperty("metadata"), JsonDocument.Parse(row["metadata"]).RootElement), row["metadata"]);
        }

        Assert.Equal(AwkwardMessages.Order(StringComparer.Ordinal),
            csv.Where(r => r["source"] == "awkward").Select(r => r["message"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_bad_format_or_filter_is_a_400_before_anything_streams()
    {
        using var format = await _client.GetAsync("/api/query/export?format=xlsx");
        using var filter = await _client.GetAsync("/api/query/export?filter=" + Uri.EscapeDataString("@Level ="));

        Assert.Equal(HttpStatusCode.BadRequest, format.StatusCode);
        Assert.Contains("\"format\"", await format.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, filter.StatusCode);
        Assert.Contains("At column 9", await filter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The rows an export read, its seconds, and how far Query's resident memory peaked above where it started.</summary>
    private async Task<(List<string> Rows, double Seconds, double GrowthMegabytes)> MeasureAsync(Func<Task<List<string>>> export)
    {
        var memory = ResidentMemory.Measure(_query.ProcessId);
        var started = DateTime.UtcNow;
        var rows = await export();
        return (rows, (DateTime.UtcNow - started).TotalSeconds, memory.PeakGrowthMegabytes());
    }

    private IEnumerable<(DateTimeOffset Timestamp, string Id)> Awkward() =>
        AwkwardMessages.Select((_, i) => (_end.AddHours(-3).AddMilliseconds(i), $"awkward{i}"));

    private async Task InsertAwkwardAsync()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        foreach (var ((timestamp, id), message) in Awkward().Zip(AwkwardMessages))
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO log_events (id, "timestamp", level, message, source, metadata, exception, received_at)
                VALUES (@id, @timestamp, 'ERROR', @message, 'awkward', '{"userId": "awkward", "note": "a, \"b\"\nc"}', @message, @timestamp)
                """, connection);
            insert.Parameters.Add(new NpgsqlParameter<string>("id", id));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("timestamp", timestamp));
            insert.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = message });
            await insert.ExecuteNonQueryAsync();
        }
    }

    private async Task<List<JsonElement>> SearchAsync(string query)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = JsonDocument.Parse(await _client.GetStringAsync(
                $"/api/query/logs?{query}&limit=1000{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}")).RootElement;
            items.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return items;
    }

    private static Dictionary<string, string> Fields(CsvReader csv) =>
        csv.HeaderRecord!.ToDictionary(h => h, h => csv.GetField(h)!, StringComparer.Ordinal);

    /// <summary>Each line of the export as <paramref name="read"/> makes it (only ids, for a million rows).</summary>
    private async Task<List<T>> ReadNdjsonAsync<T>(string query, Func<JsonElement, T> read)
    {
        using var response = await _client.GetAsync($"/api/query/export?{query}&format=ndjson", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var rows = new List<T>();
        while (await reader.ReadLineAsync() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            rows.Add(read(document.RootElement));
        }

        return rows;
    }

    private async Task<List<T>> ReadCsvAsync<T>(string query, Func<CsvReader, T> read)
    {
        using var response = await _client.GetAsync($"/api/query/export?{query}&format=csv", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        Assert.True(await csv.ReadAsync());
        csv.ReadHeader();
        var rows = new List<T>();
        while (await csv.ReadAsync())
        {
            rows.Add(read(csv));
        }

        return rows;
    }
}
