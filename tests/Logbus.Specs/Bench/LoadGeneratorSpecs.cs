using System.Diagnostics;
using System.Text.Json;
using Logbus.Specs.Infrastructure;
using Xunit.Abstractions;

namespace Logbus.Specs.Bench;

/// <summary>
/// The load generator (<c>./logbus bench load</c>) against a running stack, as an operator would point it at
/// <c>./logbus up</c>: its report has the latency, queryability and error figures, its chart is drawn, and what it
/// sent is stored. Figures are not judged here (benchmarks never are), only that they were measured.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class LoadGeneratorSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Driving_a_running_stack_reports_latency_queryability_and_errors_and_draws_the_chart()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var stack = await ServiceProcessStack.StartAsync(db, "load", 3);
        var results = Directory.CreateTempSubdirectory("logbus-load-");
        try
        {
            var (exitCode, printed) = await RunBenchAsync(results.FullName, "load", "--mode=steady,query", "--rate=50", "--duration=4",
                $"--api={stack.Api.BaseAddress}", $"--query={stack.Query.BaseAddress}");
            output.WriteLine(printed);
            Assert.True(exitCode == 0, printed);

            var report = await File.ReadAllTextAsync(Path.Combine(results.FullName, "report.md"));
            Assert.Contains("`steady: single POSTs at 50/s`: 200 requests, answers other than 2xx: none.", report, StringComparison.Ordinal);
            var figures = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(results.FullName, "load.json"))).RootElement
                .GetProperty("Figures").EnumerateArray()
                .ToDictionary(f => f.GetProperty("Name").GetString()!, f => f.GetProperty("Value").GetDouble());
            Assert.InRange(figures["single-event POST at 50 req/s: HTTP p99"], 0.01, 30_000);
            Assert.InRange(figures["single-event POST at 50 req/s: events accepted"], 1, 1_000);
            var queryable = Assert.Single(figures, f => f.Key.StartsWith("ingest-to-queryable at 50 single events/s: p50", StringComparison.Ordinal));
            Assert.InRange(queryable.Value, 0.01, 60_000);
            Assert.True(figures["cached stats (1 sender), p99"] > 0);
            Assert.Contains("| cached stats p99 < 5 ms |", report, StringComparison.Ordinal);
            Assert.Contains("<polyline", await File.ReadAllTextAsync(Path.Combine(results.FullName, "load.svg")), StringComparison.Ordinal);

            // Every event the generator was told was accepted is stored, once.
            await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM log_events") >= 200, TimeSpan.FromSeconds(30),
                "the 200 accepted events are stored");
            Assert.Equal(200L, await db.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events"));
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    internal static async Task<(int ExitCode, string Output)> RunBenchAsync(string results, params string[] arguments)
    {
        var dll = Path.Combine(RepositoryPaths.Root, "bench", "Logbus.Bench", "bin", "Debug", "net10.0", "Logbus.Bench.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LOGBUS_BENCH_RESULTS"] = results;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
