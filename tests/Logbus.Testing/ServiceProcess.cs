using System.Diagnostics;

namespace Logbus.Testing;

/// <summary>
/// A built Logbus service run as a child process, as in production, on a free loopback port: a spec can kill it
/// abruptly, as a crash or an OOM kill would, and start it again; a benchmark measures it apart from what drives it.
/// </summary>
public sealed class ServiceProcess : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private Process? _process;

    /// <param name="service">Project name, e.g. <c>Logbus.Query</c>.</param>
    /// <param name="configuration">Which build of it runs (<c>Debug</c>, <c>Release</c>).</param>
    /// <param name="settings">Configuration keys (with <c>:</c> or <c>__</c>) and values, passed as environment variables.</param>
    public ServiceProcess(string service, string configuration, IReadOnlyDictionary<string, string?> settings)
    {
        Service = service;
        _dll = Path.Combine(RepositoryRoot.Folder, "src", service, "bin", configuration, "net10.0", service + ".dll");
        _settings = settings;
        Port = FreePort.Next();
        // Ctrl-C, SIGTERM or a failed run ends this process without disposing; the service must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    public string Service { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public int ProcessId => Running.Id;

    /// <summary>Receives each line the service writes to standard output; unread lines are dropped.</summary>
    public Action<string>? StandardOutput { get; init; }

    /// <summary>Receives each line the service writes to standard error; unread lines are dropped.</summary>
    public Action<string>? StandardError { get; init; }

    private Process Running => _process ?? throw new InvalidOperationException($"{Service} has not been started.");

    /// <summary>Starts the service (again, after <see cref="Kill"/>, on the same port) and waits until it is ready.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(_dll))
        {
            throw new FileNotFoundException($"{_dll} is not built; ./logbus test and ./logbus bench build it first.", _dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(_dll);
        info.Environment["Urls"] = BaseAddress.ToString();
        info.Environment["Logging__Console__Format"] = "json";
        foreach (var (key, value) in _settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process?.Dispose();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{Service} did not start.");
        _process = process;
        process.OutputDataReceived += (_, e) => Forward(StandardOutput, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(StandardError, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilReadyAsync(process, cancellationToken);
    }

    /// <summary>SIGKILL to the service and its children: no shutdown, no commit, no drain.</summary>
    public void Kill()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone, or disposed.
        }
    }

    /// <summary>Resident memory of the service now, in MB.</summary>
    public double ResidentMegabytes()
    {
        Running.Refresh();
        return Running.WorkingSet64 / (1024.0 * 1024.0);
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        Kill();
        _process?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + ReadyWithin;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Service} exited with {process.ExitCode} while starting.");
            }

            try
            {
                if ((await http.GetAsync("/health/ready", cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet, or too busy starting to answer within the timeout: ask again.
            }

            await Task.Delay(200, cancellationToken);
        }

        Kill();
        throw new TimeoutException($"{Service} was not ready within {ReadyWithin.TotalSeconds:0} s.");
    }

    private static void Forward(Action<string>? reader, string? line)
    {
        if (line is not null)
        {
            reader?.Invoke(line);
        }
    }

    private void KillOnExit(object? sender, EventArgs e) => Kill();
}
