using Logbus.Bench.Pipeline;
using Npgsql;

namespace Logbus.Bench.Load;

/// <summary>
/// The load generator (issue 11): the seed's load test and far beyond, against Release processes of the three services
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
            var runningQuery = options.Query ?? throw new ArgumentException("--api needs --query as well: ingest-to-queryable and the query mix ask Logbus.Query.");
            context.Progress($"driving the running stack: Api {runningApi}, Query {runningQuery}");
            await using var external = new LoadSuite(context, options, runningApi, runningQuery, null, new Dictionary<string, int>());
            return await external.RunAsync(cancellationToken);
        }

        var database = $"logbus_bench_load_{DateTime.UtcNow:HHmmss}";
        var target = new NpgsqlConnectionStringBuilder(context.PostgresConnectionString) { Database = database }.ConnectionString;
        var admin = new NpgsqlConnectionStringBuilder(context.PostgresConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await PipelineBenchmark.ExecuteAsync(admin, $"CREATE DATABASE {database}", cancellationToken);
        try
        {
            var topic = $"bench-load-{Guid.NewGuid():N}"[..22];
            await context.CreateTopicAsync(topic, Partitions, cancellationToken);
            await context.CreateTopicAsync(topic + ".imports", 4, cancellationToken);
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings__Logbus"] = target,
                ["ConnectionStrings__Redis"] = context.RedisConnectionString,
                ["Kafka__BootstrapServers"] = context.KafkaBootstrapServers,
                ["Ingest__Topic"] = topic,
                ["Imports__Topic"] = topic + ".imports",
                ["Worker__Storing__Topic"] = topic,
                ["Worker__Storing__ProgressTopic"] = topic + ".imports",
                ["Worker__Storing__ConsumerGroup"] = topic + "-worker",
                ["Worker__Imports__ConsumerGroup"] = topic + "-imports",
                ["Cache__KeyPrefix"] = topic + ":",
            };

            // The Api migrates the new database; the others start once it is there.
            await using var api = await ServiceProcess.StartAsync("Logbus.Api", settings, cancellationToken);
            await using var worker = await ServiceProcess.StartAsync("Logbus.Worker", settings, cancellationToken);
            await using var query = await ServiceProcess.StartAsync("Logbus.Query", settings, cancellationToken);
            await using var dataSource = NpgsqlDataSource.Create(target);
            var services = new Dictionary<string, int> { ["Api"] = api.ProcessId, ["Worker"] = worker.ProcessId, ["Query"] = query.ProcessId };
            await using var suite = new LoadSuite(context, options, api.BaseAddress, query.BaseAddress, dataSource, services);
            return await suite.RunAsync(cancellationToken);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PipelineBenchmark.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None);
        }
    }
}
