using System.Globalization;
using Npgsql;

namespace Logbus.Bench.Load;

/// <summary>
/// The load generator (issue 11): the tutorial's load test and far beyond, against Release processes of the services
/// it starts on the stack (its own database and topics; <c>--apis=</c>/<c>--workers=</c> of each), or against a running
/// stack given by <c>--api</c>/<c>--query</c>. With <c>--gc=</c> the modes run once per GC setting of the services.
/// </summary>
internal sealed class LoadBenchmark : IBenchmark
{
    private const int Partitions = 12;

    public string Name => "load";

    public string Description =>
        $"load generator: {string.Join(", ", LoadOptions.AllModes)} (--mode=a,b --rate= --duration= --senders= --batch= --lines= "
        + "--apis=N --workers=N --gc=workstation-conserve,server,… --api=URL --query=URL [--worker=URL --database=CONN])";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = LoadOptions.From(context);
        if (options.Api is { } runningApi)
        {
            var runningQuery = options.Query
                ?? throw new ArgumentException("--api needs --query as well: ingest-to-queryable and the query mix ask Logbus.Query.");
            context.Progress($"driving the running stack: Api {runningApi}, Query {runningQuery}");
            await using var database = options.Database is { } connection ? NpgsqlDataSource.Create(connection) : null;
            await using var external = new LoadSuite(context, options, [runningApi], runningQuery, database, new Dictionary<string, int>(),
                options.Worker is { } worker ? [worker] : [], ownDatabase: false);
            return await external.RunAsync(cancellationToken);
        }

        if (options.GcSettings.Count == 0)
        {
            return await RunOnceAsync(context, options, new Dictionary<string, string>(), cancellationToken);
        }

        // One deployment per setting, in the order given: what each measured goes into one report, and into a table beside
        // the others.
        var report = new BenchmarkReport(Name);
        var rows = new List<string>
        {
            "GC settings of the services, one after another in this run (each on a fresh deployment):", "",
            "| setting | max-batches accepted | end to end | single POST p99 | peak RSS Api / Worker / Query | errors |", "|---|---|---|---|---|---|",
        };
        foreach (var gc in options.GcSettings)
        {
            context.Progress($"GC setting {gc.Name}: {gc.Description}");
            BenchmarkReport one;
            try
            {
                one = await RunOnceAsync(context, options, gc.Environment, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or InvalidOperationException)
            {
                // A setting that kills a service (a heap limit's OutOfMemoryException) is a result, not the end of the run.
                rows.Add($"| {gc.Name}: {gc.Description} | failed: {e.GetType().Name}: {e.Message} | | | | |");
                continue;
            }

            foreach (var figure in one.Figures)
            {
                report.Figures.Add(figure with { Name = $"[{gc.Name}] {figure.Name}" });
            }

            report.Notes.AddRange(one.Notes.Select(n => $"[{gc.Name}] {n}"));
            rows.Add(Row(gc, one));
        }

        report.Notes.Insert(0, string.Join('\n', rows));
        return report;
    }

    private static string Row(GcSetting gc, BenchmarkReport one)
    {
        double? Figure(Func<string, bool> match) => one.Figures.FirstOrDefault(f => match(f.Name))?.Value;
        static string Show(double? value, string unit) => value is { } v && !double.IsNaN(v)
            ? $"{v.ToString(v >= 100 ? "N0" : "0.#", CultureInfo.InvariantCulture)}{unit}"
            : "–";
        var accepted = Figure(n => n.StartsWith("max-batches: events accepted", StringComparison.Ordinal));
        var endToEnd = Figure(n => n.StartsWith("max-batches: end to end", StringComparison.Ordinal));
        var p99 = Figure(n => n.StartsWith("single-event POST at", StringComparison.Ordinal) && n.EndsWith("HTTP p99", StringComparison.Ordinal));
        var memory = string.Join(" / ", new[] { "Api", "Worker", "Query" }.Select(p => Show(Figure(n => n == $"peak resident memory, {p}"), "")));
        var errors = one.Notes.Count(n =>
            n.Contains("answers other than 2xx", StringComparison.Ordinal) && !n.EndsWith("none.", StringComparison.Ordinal));
        return $"| {gc.Name}: {gc.Description} | {Show(accepted, " events/s")} | {Show(endToEnd, " events/s")} | {Show(p99, " ms")} | {memory} MB | "
            + $"{(errors == 0 ? "none" : $"in {errors} scenarios")} |";
    }

    private static async Task<BenchmarkReport> RunOnceAsync(BenchContext context, LoadOptions options,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        await using var deployment = await BenchDeployment.CreateAsync(context, "load", Partitions, cancellationToken);
        await using var stack = await LoadStack.StartAsync(deployment, options.Apis, options.Workers, environment, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(deployment.ConnectionString);
        await using var suite = new LoadSuite(context, options, [.. stack.Apis.Select(a => a.BaseAddress)], stack.Query.BaseAddress, dataSource,
            stack.Processes(), [.. stack.Workers.Select(w => w.BaseAddress)], deployment.Topic);
        return await suite.RunAsync(cancellationToken);
    }
}
