using System.Diagnostics;

namespace Logbus.Specs.Infrastructure;

/// <summary>
/// A built Logbus service as a real process (not hosted in the spec's process), so a spec can kill it abruptly, as a
/// crash or an OOM kill would, and start it again.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private Process? _process;

    public ServiceProcess(string service, IReadOnlyDictionary<string, string?> settings)
    {
        _dll = Path.Combine(RepositoryPaths.Root, "src", service, "bin", "Debug", "net10.0", service + ".dll");
        _settings = settings;
        Port = FreePort.Next();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(_dll)!, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(_dll);
        info.Environment["Urls"] = BaseAddress.ToString();
        info.Environment["Logging__Console__Format"] = "json";
        foreach (var (key, value) in _settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process = SharedServers.Track(new OwnedProcess(Process.Start(info)!)).Process;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(_process.HasExited, $"{Path.GetFileName(_dll)} exited with {(_process.HasExited ? _process.ExitCode : 0)} while starting");
            try
            {
                return (await http.GetAsync("/health/ready")).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the timeout: ask again.
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"{Path.GetFileName(_dll)} is ready");
    }

    /// <summary>SIGKILL: no shutdown, no commit, no drain.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose() => Kill();

    private sealed class OwnedProcess(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
    }
}
