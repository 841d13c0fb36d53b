using System.Text.Json;
using Logbus.Specs.Infrastructure;
using Xunit.Abstractions;

namespace Logbus.Specs.Bench;

/// <summary>
/// How <c>./logbus bench</c> measures a drain (issue 19): it counts what is stored by the Workers' metrics, not by
/// <c>count(*)</c> over <c>log_events</c> while the clock runs, checks the run's rows once afterwards (rows = distinct ids =
/// accepted), and breaks PostgreSQL's statement time down per kind from <c>pg_stat_statements</c>. Only that the figures
/// were measured and reported is checked, never what they are.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class BenchMeasuringSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_drain_is_counted_by_the_workers_metrics_checked_once_in_sql_and_postgres_time_is_broken_down_by_statement_kind()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var stack = await ServiceProcessStack.StartAsync(db, "measure", 3);
        var (report, load) = await RunAgainstAsync(db, stack, "--mode=max-batches", "--senders=2", "--batch=50", "--duration=3");

        Assert.Contains("Stored events counted by the Workers' `logbus_worker_events_stored_total`", report, StringComparison.Ordinal);
        Assert.Contains("Where the time goes, `max-batches`", report, StringComparison.Ordinal);
        var figures = load.GetProperty("Figures").EnumerateArray().ToDictionary(f => f.GetProperty("Name").GetString()!);
        var rows = figures["max-batches: rows stored with the run's ids (SQL, after the clock)"];
        var accepted = rows.GetProperty("Baseline").GetDouble();
        Assert.True(accepted >= 50, $"accepted {accepted}");
        Assert.Equal(accepted, rows.GetProperty("Value").GetDouble());
        Assert.Equal(accepted, figures["max-batches: distinct ids stored"].GetProperty("Value").GetDouble());
        Assert.Equal(accepted, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));

        // The statements of the mode, by kind: the rows reached log_events through an INSERT or a COPY, and the benchmark sent
        // PostgreSQL nothing of its own while the mode ran (its drain poll was the Worker's metrics; its checks come after).
        var kinds = load.GetProperty("Statements").GetProperty("max-batches").EnumerateArray()
            .ToDictionary(k => k.GetProperty("Kind").GetString()!,
                k => (Calls: k.GetProperty("Calls").GetInt64(), Rows: k.GetProperty("Rows").GetInt64()));
        output.WriteLine(string.Join('\n', kinds.Select(k => $"{k.Key}: {k.Value}")));
        var intoLogEvents = kinds.Where(k => k.Key is "INSERT into log_events" or "COPY into log_events").Sum(k => k.Value.Rows);
        Assert.True(intoLogEvents >= accepted, $"rows into log_events by kind: {intoLogEvents} of {accepted}");
        Assert.True(kinds.ContainsKey("inbox"), "the inbox rows of the consumed chunks are a kind of their own");
        Assert.DoesNotContain("the benchmark's own statements", kinds.Keys);
    }

    [Fact]
    public async Task Ingest_to_queryable_is_measured_from_commit_times_without_asking_the_Query_while_the_load_runs()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var stack = await ServiceProcessStack.StartAsync(db, "commit-times", 3);
        var (report, load) = await RunAgainstAsync(db, stack, "--mode=queryable", "--rate=1000", "--duration=3");

        Assert.Contains("Ingest-to-queryable measured by the commit time PostgreSQL recorded", report, StringComparison.Ordinal);
        var figures = load.GetProperty("Figures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("Name").GetString()!, f => f.GetProperty("Value").GetDouble());
        // 10 requests a second for 3 s, every 4th sampled: a handful of ids, each found stored some time after it was sent.
        var p50 = Assert.Single(figures, f => f.Key.StartsWith("ingest-to-queryable at 1,000 events/s: p50", StringComparison.Ordinal));
        Assert.Matches(@"\(([5-9]|1[0-9]) sampled ids\)", p50.Key);
        Assert.InRange(p50.Value, 0.01, 60_000);
        Assert.InRange(figures["ingest-to-queryable at 1,000 events/s: p99"], p50.Value, 60_000);

        // The sampled ids were looked up in PostgreSQL once the load was sent, never on the Query.
        var kinds = load.GetProperty("Statements").GetProperty("queryable").EnumerateArray()
            .Select(k => k.GetProperty("Kind").GetString()!).ToList();
        output.WriteLine(string.Join('\n', kinds));
        Assert.Contains("the benchmark's lookups of sampled ids' commit times (after the load)", kinds);
        Assert.DoesNotContain("reads of log_events (Query)", kinds);
    }

    /// <summary>Runs <c>./logbus bench load</c> against the stack and its database; returns its report and its JSON.</summary>
    private async Task<(string Report, JsonElement Load)> RunAgainstAsync(SpecDatabase db, ServiceProcessStack stack, params string[] options)
    {
        var results = Directory.CreateTempSubdirectory("logbus-measure-");
        try
        {
            var (exitCode, printed) = await LoadGeneratorSpecs.RunBenchAsync(results.FullName, ["load", .. options,
                $"--api={stack.Api.BaseAddress}", $"--query={stack.Query.BaseAddress}", $"--worker={stack.Worker.BaseAddress}",
                $"--database={db.ConnectionString}"]);
            output.WriteLine(printed);
            Assert.True(exitCode == 0, printed);
            var report = await File.ReadAllTextAsync(Path.Combine(results.FullName, "report.md"));
            using var load = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(results.FullName, "load.json")));
            return (report, load.RootElement.Clone());
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }
}
