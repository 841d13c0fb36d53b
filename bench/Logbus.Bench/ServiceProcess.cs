using System.Diagnostics;
using System.Net.Sockets;

namespace Logbus.Bench;

/// <summary>A built Logbus service run as a child process, as in production, on a free port.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        // Ctrl-C or SIGTERM ends the benchmark without disposing; the service must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <param name="service">Project name, e.g. <c>Logbus.Query</c>.</param>
    public static async Task<ServiceProcess> StartAsync(string service, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(RepositoryRoot(), "src", service, "bin", Configuration(), "net10.0", service + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; run the benchmark through ./logbus bench, which builds first.");
        }

        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["Logging__Console__Format"] = "json";
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{service} did not start.");
        // Warnings and errors of the service (the level is Warning) go beside the results, so a figure that looks wrong
        // can be read against what the service said meanwhile.
        var results = Environment.GetEnvironmentVariable("LOGBUS_BENCH_RESULTS");
        var log = results is null ? null : TextWriter.Synchronized(new StreamWriter(Path.Combine(results, $"{service}.log"), append: true) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log?.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[{service}] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var running = new ServiceProcess(process, port);
        using var http = new HttpClient { BaseAddress = running.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{service} exited with {process.ExitCode} while starting.");
            }

            try
            {
                if ((await http.GetAsync("/health/ready", cancellationToken)).IsSuccessStatusCode)
                {
                    return running;
                }
            }
            catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet, or too busy starting to answer within the timeout.
            }

            await Task.Delay(200, cancellationToken);
        }

        await running.DisposeAsync();
        throw new TimeoutException($"{service} was not ready within 60 s.");
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone, or disposed.
        }
    }

    /// <summary>Resident memory of the process now, in MB.</summary>
    public double ResidentMegabytes()
    {
        _process.Refresh();
        return _process.WorkingSet64 / (1024.0 * 1024.0);
    }

    public static string RepositoryRoot() =>
        Environment.GetEnvironmentVariable("LOGBUS_ROOT")
        ?? FindUp(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Cannot find the repository root; set LOGBUS_ROOT.");

    private static string Configuration() => Environment.GetEnvironmentVariable("LOGBUS_CONFIGURATION") ?? "Release";

    private static string? FindUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Logbus.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
