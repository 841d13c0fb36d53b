using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Logbus.Bench.Query;

/// <summary>
/// Latency of a realistic query mix through the Query service over HTTP: each kind of query first uncached (every
/// request a distinct window, so a distinct cache key), then cached (the same request repeated). The uncached figure
/// is the cached one's baseline.
/// </summary>
internal sealed class QueryBenchmark : IBenchmark
{
    private const int UncachedRuns = 20;
    private const int CachedRuns = 200;

    public string Name => "query";

    public string Description =>
        "p50/p95 of a query mix over 1M events (10M with --full), uncached and cached (LOGBUS_BENCH_QUERY_ROWS to change the size)";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var rows = int.Parse(Environment.GetEnvironmentVariable("LOGBUS_BENCH_QUERY_ROWS") ?? (context.Full ? "10000000" : "1000000"),
            CultureInfo.InvariantCulture);
        var dataset = await QueryBenchDataset.EnsureAsync(context, rows, cancellationToken);
        await using var service = await BenchService.StartAsync("Logbus.Query", new Dictionary<string, string>
        {
            ["ConnectionStrings__Logbus"] = dataset.ConnectionString,
            ["ConnectionStrings__Redis"] = context.RedisConnectionString,
            ["Cache__KeyPrefix"] = $"bench:{Guid.NewGuid():N}:",
            ["Storage__MigrateOnStartup"] = "false",
            // The benchmark measures Query, not its per-client rate limit.
            ["Query__RateLimit__RequestsPerSecond"] = "0",
        }, cancellationToken);
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

        var report = new BenchmarkReport(Name);
        var allUncached = new Latencies();
        var allCached = new Latencies();
        foreach (var (kind, url, uncachedRuns) in Mix(dataset))
        {
            var uncached = new Latencies();
            for (var i = 1; i <= uncachedRuns; i++)
            {
                uncached.Add(await TimeAsync(http, await url(http, i), cancellationToken));
            }

            var repeated = await url(http, 0);
            await TimeAsync(http, repeated, cancellationToken);
            var cached = new Latencies();
            for (var i = 0; i < CachedRuns; i++)
            {
                cached.Add(await TimeAsync(http, repeated, cancellationToken));
            }

            context.Progress($"{kind}: uncached p50 {uncached.Percentile(50):0.0} ms, cached p50 {cached.Percentile(50):0.00} ms");
            report.Add($"{kind}: p50", cached.Percentile(50), "ms cached", uncached.Percentile(50), "uncached");
            report.Add($"{kind}: p95", cached.Percentile(95), "ms cached", uncached.Percentile(95), "uncached");
            Merge(allUncached, uncached);
            Merge(allCached, cached);
        }

        report.Add("whole mix: p50", allCached.Percentile(50), "ms cached", allUncached.Percentile(50), "uncached");
        report.Add("whole mix: p95", allCached.Percentile(95), "ms cached", allUncached.Percentile(95), "uncached");
        report.Notes.Add($"{dataset.Rows:N0} events over {QueryBenchDataset.Span.TotalDays:0} days " +
            $"(~{dataset.Rows / QueryBenchDataset.Span.TotalDays:N0} a day); "
            + $"{UncachedRuns} uncached and {CachedRuns} cached requests per kind, one at a time, over HTTP to a Release build of Logbus.Query "
            + $"(resident memory afterwards: {service.ResidentMegabytes():0} MB). The ratio column is cached / uncached.");
        return report;
    }

    /// <returns>Each kind of query, how to build its i-th distinct request (0: the one repeated for the cached runs),
    /// and how many uncached runs it gets (fewer for the few heavy kinds).</returns>
    private static IEnumerable<(string Kind, Func<HttpClient, int, Task<string>> Url, int UncachedRuns)> Mix(QueryBenchDataset.Dataset d)
    {
        string Window(int i, TimeSpan length) =>
            $"from={Iso(d.End - length - TimeSpan.FromSeconds(i))}&to={Iso(d.End - TimeSpan.FromSeconds(i))}";

        yield return ("newest 100, last hour", (_, i) => Task.FromResult($"/api/query/logs?{Window(i, TimeSpan.FromHours(1))}&limit=100"),
            UncachedRuns);
        yield return ("ERROR, last 24 h", (_, i) => Task.FromResult($"/api/query/logs?{Window(i, TimeSpan.FromHours(24))}&level=ERROR"),
            UncachedRuns);
        yield return ("one source, WARN and up, 24 h", (_, i) =>
            Task.FromResult($"/api/query/logs?{Window(i, TimeSpan.FromHours(24))}&source=service-05&minLevel=WARN"), UncachedRuns);
        yield return ("text 'timeout', 24 h", (_, i) => Task.FromResult($"/api/query/logs?{Window(i, TimeSpan.FromHours(24))}&q=timeout"),
            UncachedRuns);
        yield return ("one user's events, 7 days", (_, i) =>
            Task.FromResult($"/api/query/logs?{Window(i, QueryBenchDataset.Span)}&meta.userId=user42"), UncachedRuns);
        yield return ("one trace, 24 h", (_, i) => Task.FromResult($"/api/query/logs?{Window(i, TimeSpan.FromHours(24))}&traceId={d.TraceId}"),
            UncachedRuns);
        yield return ("second page (cursor), 24 h", async (http, i) =>
        {
            var first = await http.GetFromJsonAsync<JsonElement>($"/api/query/logs?{Window(i, TimeSpan.FromHours(24))}&limit=100");
            return $"/api/query/logs?{Window(i, TimeSpan.FromHours(24))}&limit=100"
                + $"&cursor={Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!)}";
        }, UncachedRuns);
        yield return ("one event by id", (_, i) => Task.FromResult($"/api/query/logs/{d.Ids[i % d.Ids.Count]}"), UncachedRuns);
        yield return ("stats, 24 h", (_, i) => Task.FromResult($"/api/query/stats?hoursBack={24 - (i % 24)}"), 10);
        yield return ("stats, 7 days", (_, i) => Task.FromResult($"/api/query/stats?hoursBack={168 - i}"), 3);
        yield return ("seed page 3 with total, ERROR, 24 h", (_, i) =>
            Task.FromResult($"/gateway/api/query/logs?startTime={Iso(d.End.AddHours(-24).AddSeconds(-i))}&endTime={Iso(d.End.AddSeconds(-i))}"
                + "&level=ERROR&page=3&size=50"), UncachedRuns);
    }

    private static async Task<TimeSpan> TimeAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        clock.Stop();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: " +
                $"{await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return clock.Elapsed;
    }

    private static void Merge(Latencies into, Latencies from)
    {
        foreach (var value in from.Values)
        {
            into.Add(TimeSpan.FromMilliseconds(value));
        }
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));
}
