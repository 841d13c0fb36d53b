using Logbus.Testing;

namespace Logbus.Bench.Load;

/// <summary>
/// The services a load run drives, as processes on the stack in a deployment of the run's own: one or more Apis (stateless,
/// requests spread over them), one or more Workers (one consumer group: the broker splits the partitions between them),
/// one Query; each started with the run's extra environment (GC settings, say).
/// </summary>
internal sealed class LoadStack : IAsyncDisposable
{
    private readonly List<ServiceProcess> _all = [];

    private LoadStack()
    {
    }

    public List<ServiceProcess> Apis { get; } = [];

    public List<ServiceProcess> Workers { get; } = [];

    public ServiceProcess Query { get; private set; } = null!;

    /// <summary>The processes by the name the CPU and memory figures give them: Api, Api 2, …, Worker, Worker 2, …, Query.</summary>
    public Dictionary<string, int> Processes()
    {
        var named = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Apis.Count; i++)
        {
            named[i == 0 ? "Api" : $"Api {i + 1}"] = Apis[i].ProcessId;
        }

        for (var i = 0; i < Workers.Count; i++)
        {
            named[i == 0 ? "Worker" : $"Worker {i + 1}"] = Workers[i].ProcessId;
        }

        named["Query"] = Query.ProcessId;
        return named;
    }

    public static async Task<LoadStack> StartAsync(BenchDeployment deployment, int apis, int workers, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(deployment.Settings);
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        var stack = new LoadStack();
        try
        {
            // The first Api migrates the new database; the others start once it is there.
            for (var i = 0; i < apis; i++)
            {
                stack.Apis.Add(await stack.StartAsync("Logbus.Api", settings, cancellationToken));
            }

            for (var i = 0; i < workers; i++)
            {
                stack.Workers.Add(await stack.StartAsync("Logbus.Worker", settings, cancellationToken));
            }

            stack.Query = await stack.StartAsync("Logbus.Query", settings, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_all))
        {
            await process.DisposeAsync();
        }
    }

    private async Task<ServiceProcess> StartAsync(string service, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var process = await BenchService.StartAsync(service, settings, cancellationToken);
        _all.Add(process);
        return process;
    }
}
