using Logbus.Testing;

namespace Logbus.Bench;

/// <summary>Starts a built service for a benchmark: the build <c>./logbus bench</c> made, logging at Warning.</summary>
internal static class BenchService
{
    /// <param name="service">Project name, e.g. <c>Logbus.Query</c>.</param>
    public static async Task<ServiceProcess> StartAsync(
        string service, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, string?> { ["Serilog__MinimumLevel__Default"] = "Warning" };
        // The GC setting ./logbus up and compose give the services (see ServiceGc), unless the benchmark compares others.
        if (!settings.Keys.Any(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var (key, value) in ServiceGc.Environment)
            {
                all[key] = value;
            }
        }

        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        // Warnings and errors of the service go beside the results, so a figure that looks wrong can be read against
        // what the service said meanwhile.
        var results = Environment.GetEnvironmentVariable("LOGBUS_BENCH_RESULTS");
        var log = results is null
            ? null
            : TextWriter.Synchronized(new StreamWriter(Path.Combine(results, $"{service}.log"), append: true) { AutoFlush = true });
        var process = new ServiceProcess(service, Environment.GetEnvironmentVariable("LOGBUS_CONFIGURATION") ?? "Release", all)
        {
            StandardOutput = line => log?.WriteLine(line),
            StandardError = line => Console.Error.WriteLine($"[{service}] {line}"),
        };
        try
        {
            await process.StartAsync(cancellationToken);
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }
}
