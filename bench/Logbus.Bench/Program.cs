using System.Text.Json;
using Logbus.Bench;
using Logbus.Bench.Indexes;
using Logbus.Bench.Load;
using Logbus.Bench.Outbox;
using Logbus.Bench.Parsers;
using Logbus.Bench.Pipeline;
using Logbus.Bench.Query;

// Every benchmark is listed here; `./logbus bench` with no names runs them all.
IBenchmark[] benchmarks =
[
    new RiderBenchmark(), new OutboxBenchmark(), new QueryBenchmark(), new PipelineBenchmark(), new LoadBenchmark(), new ParsersBenchmark(),
    new IndexesBenchmark(),
];

var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
if (names is ["list"])
{
    foreach (var b in benchmarks)
    {
        Console.WriteLine($"{b.Name,-16} {b.Description}");
    }

    return 0;
}

var unknown = names.Where(n => benchmarks.All(b => b.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown benchmark(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}

var selected = names.Count == 0 ? benchmarks : [.. benchmarks.Where(b => names.Contains(b.Name))];
var results = Environment.GetEnvironmentVariable("LOGBUS_BENCH_RESULTS")
    ?? Path.Combine("bench", "results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
Directory.CreateDirectory(results);
var settings = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
// --name=value options tune a benchmark (./logbus bench load --mode=steady --rate=2000); each benchmark says which it reads.
// --full runs the sizes the issues name (10M events to query, a 1M-line import) instead of the standard suite's, which
// finishes within 10 minutes.
var options = args.Where(a => a.StartsWith("--", StringComparison.Ordinal))
    .Select(a => a[2..].Split('=', 2))
    .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "true", StringComparer.OrdinalIgnoreCase);
var context = new BenchContext(results, settings, options);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

var markdown = new List<string> { $"# Logbus benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC", "", MachineDescription.Describe(), "" };
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    var report = await benchmark.RunAsync(context, cancel.Token);
    var text = report.ToMarkdown();
    Console.WriteLine(text);
    markdown.Add(text);
    await File.WriteAllTextAsync(Path.Combine(results, $"{benchmark.Name}.json"),
        JsonSerializer.Serialize(report,
            new JsonSerializerOptions { WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
}

await File.WriteAllLinesAsync(Path.Combine(results, "report.md"), markdown);
Console.WriteLine($"Results in {Path.GetFullPath(results)}");
return 0;
