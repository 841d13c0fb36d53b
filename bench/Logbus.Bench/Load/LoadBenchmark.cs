using Npgsql;

namespace Logbus.Bench.Load;

/// <summary>
/// The load generator (issue 11): the tutorial's load test and far beyond, against Release processes of the three services
/// it starts on the stack (its own database and topics), or against a running stack given by <c>--api</c>/<c>--query</c>.
/// </summary>
internal sealed class LoadBenchmark : IBenchmark
{
    private const int Partitions = 12;

    public string Name => "load";

    public string Description =>
        $"load generator: {string.Join(", ", LoadOptions.AllModes)} (--mode=a,b --rate= --duration= --senders= --lines= --api=URL --query=URL)";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = LoadOptions.From(context);
        if (options.Api is { } runningApi)
        {
            var runningQuery = options.Query
                ?? throw new ArgumentException("--api needs --query as well: ingest-to-queryable and the query mix ask Logbus.Query.");
            context.Progress($"driving the running stack: Api {runningApi}, Query {runningQuery}");
            await using var external = new LoadSuite(context, options, runningApi, runningQuery, null, new Dictionary<string, int>());
            return await external.RunAsync(cancellationToken);
        }

        await using var deployment = await BenchDeployment.CreateAsync(context, "load", Partitions, cancellationToken);

        // The Api migrates the new database; the others start once it is there.
        await using var api = await BenchService.StartAsync("Logbus.Api", deployment.Settings, cancellationToken);
        await using var worker = await BenchService.StartAsync("Logbus.Worker", deployment.Settings, cancellationToken);
        await using var query = await BenchService.StartAsync("Logbus.Query", deployment.Settings, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(deployment.ConnectionString);
        var services = new Dictionary<string, int> { ["Api"] = api.ProcessId, ["Worker"] = worker.ProcessId, ["Query"] = query.ProcessId };
        await using var suite = new LoadSuite(context, options, api.BaseAddress, query.BaseAddress, dataSource, services);
        return await suite.RunAsync(cancellationToken);
    }
}
