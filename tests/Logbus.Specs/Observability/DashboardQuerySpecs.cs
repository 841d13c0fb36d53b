using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Contracts;
using Logbus.Specs.Infrastructure;
using Xunit.Abstractions;

namespace Logbus.Specs.Observability;

/// <summary>
/// The dashboards and alert rules against the real thing: the three services as processes of their own (each with its
/// own <c>/metrics</c>), traffic through all of them (ingest, a poison record, queries), Debian's Prometheus scraping
/// them every second with the repository's alert rules loaded, and every panel's and rule's PromQL sent to Prometheus's
/// HTTP API. Each expression must parse, and every metric it names must exist. Prometheus starts when the services
/// have stored just one event: every <c>logbus_*</c> series a panel or rule names is there already (at zero), the
/// MassTransit panels show a value, and the first dead letter and rejected request are steps from 0 to 1 that
/// <c>increase()</c> sees, so the dead-letter alert fires.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class DashboardQuerySpecs(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string RulesFile => Path.Combine(RepositoryPaths.Root, "dashboards", "alerts", "logbus.rules.yml");

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var check = await LocalPrometheus.RunAsync(LocalPrometheus.Tool("promtool"), "check", "rules", RulesFile);

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("SUCCESS", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_dashboard_panel_and_alert_rule_parses_and_names_only_metrics_the_running_services_export()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var stack = await ServiceProcessStack.StartAsync(db, "observed", 3, ("Worker:Imports:WatchdogInterval", "00:00:01"));
        var (api, workerProcess, query) = (stack.Api, stack.Worker, stack.Query);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Freshly started, with one event ingested and stored: no rejection, dead letter or cache read yet.
        Assert.Equal(HttpStatusCode.Accepted,
            (await http.PostAsJsonAsync(new Uri(api.BaseAddress, "/api/logs"), new { message = "first", source = "observed" })).StatusCode);
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM log_events") == 1,
            TimeSpan.FromSeconds(60), "the Worker stored the first event");

        using var prometheus = await LocalPrometheus.StartAsync(new Dictionary<string, Uri>
        {
            ["logbus-api"] = api.BaseAddress,
            ["logbus-worker"] = workerProcess.BaseAddress,
            ["logbus-query"] = query.BaseAddress,
        }, RulesFile);
        await WaitForScrapesAsync(prometheus);

        var rules = await prometheus.AlertRulesAsync();
        var expressions = DashboardExpressions.All()
            .Select(e => (e.Where, Expression: DashboardExpressions.AsGrafanaSends(e.Expression)))
            .Concat(rules.Select(r => ($"alert {r.Name}", r.Query)))
            .ToList();
        var fresh = await prometheus.MetricNamesAsync();
        var absentAtStart = expressions
            .SelectMany(e => PromQlMetricNames.Of(e.Item2).Where(n => n.StartsWith("logbus_", StringComparison.Ordinal) && !fresh.Contains(n))
                .Select(n => $"{e.Item1}: {n}"))
            .ToList();
        Assert.True(absentAtStart.Count == 0, "series a panel or rule names that do not exist from start-up:\n" + string.Join("\n", absentAtStart));
        await AssertSeriesAsync(prometheus, "logbus_ingest_rejected_requests_total{reason=\"invalid\"} == 0", "rejections at zero");
        await AssertSeriesAsync(prometheus, "logbus_messaging_kafka_dead_lettered{topic=\"" + stack.Topic + "\"} == 0", "dead letters at zero");
        await AssertSeriesAsync(prometheus, "logbus_query_cache_reads_total{result=\"hit\"} == 0", "cache hits at zero");
        await AssertSeriesAsync(prometheus, "logbus_query_cache_writes_total{result=\"stored\"} == 0", "cache writes at zero");
        foreach (var (where, expression) in DashboardExpressions.All()
                     .Where(e => e.Expression.Contains("masstransit_consume_errors", StringComparison.Ordinal)))
        {
            var (result, error) = await prometheus.QueryAsync(DashboardExpressions.AsGrafanaSends(expression));
            Assert.True(error is null && result!.Value.GetArrayLength() > 0, $"{where} shows a value before MassTransit's first use: {error}");
        }

        await ProduceTrafficAsync(db, stack.Topic, SharedServers.Kafka.BootstrapServers, api.BaseAddress, workerProcess.BaseAddress,
            query.BaseAddress);
        // The first rejection and the first dead letter are each a step from 0 to 1 that increase() sees: the alert fires.
        await Eventually.TrueAsync(async () => (await prometheus.AlertRulesAsync()).Single(r => r.Name == "LogbusDeadLetters").State == "firing",
            TimeSpan.FromSeconds(60), "the first dead letter fires LogbusDeadLetters");
        await Eventually.TrueAsync(async () =>
                (await prometheus.QueryAsync("sum(increase(logbus_ingest_rejected_requests_total{reason=\"invalid\"}[5m])) > 0")).Result
                is { } r && r.GetArrayLength() == 1,
            TimeSpan.FromSeconds(30), "increase() sees the first rejected request");

        rules = await prometheus.AlertRulesAsync();
        var names = await prometheus.MetricNamesAsync();
        var failures = new List<string>();
        var withData = 0;
        foreach (var (where, expression) in expressions)
        {
            var (result, error) = await prometheus.QueryAsync(expression);
            if (error is not null)
            {
                failures.Add($"{where}: {error}\n    {expression}");
                continue;
            }

            var missing = PromQlMetricNames.Of(expression).Where(n => !names.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                failures.Add($"{where}: no such metric {string.Join(", ", missing)}\n    {expression}");
            }

            withData += result!.Value.GetArrayLength() > 0 ? 1 : 0;
            output.WriteLine($"{(result.Value.GetArrayLength() > 0 ? "data " : "empty")} {where}");
        }

        output.WriteLine($"{expressions.Count} expressions ({expressions.Count - rules.Count} panel targets, {rules.Count} alert rules); " +
            $"{withData} returned data now.");
        Assert.True(expressions.Count - rules.Count >= 40 && rules.Count >= 8, $"the dashboards and rules were all read ({expressions.Count})");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.All(rules, r => Assert.True(r.Health == "ok", $"rule {r.Name}: {r.Health} {r.LastError}"));
    }

    /// <summary>Ready to judge once every service was scraped five times and every rule evaluated (rates need two samples).</summary>
    private static Task WaitForScrapesAsync(LocalPrometheus prometheus) =>
        Eventually.TrueAsync(async () =>
            (await prometheus.QueryAsync("count(count_over_time(up{job=~\"logbus-.*\"}[1m]) >= 5)")).Result is { } r
            && r.GetArrayLength() == 1 && r[0].GetProperty("value")[1].GetString() == "3"
            && (await prometheus.AlertRulesAsync()).All(rule => rule.Health != "unknown"),
            TimeSpan.FromSeconds(60), "Prometheus scraped the three services five times and evaluated every rule");

    private static async Task AssertSeriesAsync(LocalPrometheus prometheus, string promQl, string what)
    {
        var (result, error) = await prometheus.QueryAsync(promQl);
        Assert.True(error is null && result!.Value.GetArrayLength() > 0, $"{what}: {promQl} returned nothing {error}");
    }

    /// <summary>Ingest (good and bad), a poison record the Worker dead-letters, and queries that miss and then hit the cache.</summary>
    private static async Task ProduceTrafficAsync(SpecDatabase db, string topic, string bootstrap, Uri api, Uri worker, Uri query)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        for (var b = 0; b < 3; b++)
        {
            var batch = Enumerable.Range(0, 100)
                .Select(i => new { message = $"observed {b}-{i}", source = "observed", level = i % 10 == 0 ? "ERROR" : "INFO" });
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync(new Uri(api, "/api/logs/batch"), batch)).StatusCode);
        }

        // Single events go through the Api's group commit.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
            Assert.Equal(HttpStatusCode.Accepted,
                (await http.PostAsJsonAsync(new Uri(api, "/api/logs"), new { message = $"single {i}", source = "observed" })).StatusCode)));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync(new Uri(api, "/api/logs"), new { level = "INFO" })).StatusCode);

        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            // Past the Api's validation: a source longer than the column takes, so storing it fails for good.
            var poison = new LogEventsAccepted(Guid.NewGuid(), null, null,
                [new AcceptedLogEvent("poison-1", DateTimeOffset.UtcNow, "INFO", "too long a source", new string('s', 250), null, null, null, null,
                    DateTimeOffset.UtcNow)]);
            await producer.ProduceAsync(topic, new Message<Null, byte[]>
            {
                Value = JsonSerializer.SerializeToUtf8Bytes(poison, Json),
                Headers = new Headers { { "MessageId", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()) } },
            });
        }

        // An import: its chunk's progress goes through the Worker's consumer outbox to the saga.
        using (var file = new StringContent("{\"message\":\"imported\",\"source\":\"observed\"}\n{\"source\":\"observed\"}\n"))
        {
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
            var upload = await http.PostAsync(new Uri(api, "/api/imports"), file);
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
            var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
            await Eventually.TrueAsync(async () => (await http.GetAsync(new Uri(api, $"/api/imports/{id}"))) is { IsSuccessStatusCode: true } status
                    && (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() == "CompletedWithErrors",
                TimeSpan.FromSeconds(60), "the import completed");
        }

        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM log_events") >= 311,
            TimeSpan.FromSeconds(60), "the Worker stored the ingested events");
        await Eventually.TrueAsync(async () => (await http.GetFromJsonAsync<JsonElement>(new Uri(worker, "/api/dead-letters"))).GetArrayLength() == 1,
            TimeSpan.FromSeconds(30), "the poison record is dead-lettered");
        foreach (var path in new[] { "/api/query/logs?source=observed&limit=10", "/api/query/stats?hoursBack=1" })
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(query, path))).StatusCode);
            }
        }
    }
}
