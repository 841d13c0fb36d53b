using System.Diagnostics;
using System.Net.Sockets;

namespace Logbus.Specs.Infrastructure;

/// <summary>A private <c>redis-server</c> for specs on a free loopback port, without persistence.</summary>
internal sealed class LocalRedis : IDisposable
{
    private readonly string _folder;
    private Process? _process;

    private LocalRedis(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    public static LocalRedis Create(string name)
    {
        var folder = Path.Combine(RepositoryPaths.RunFolder, name);
        Directory.CreateDirectory(folder);
        var redis = new LocalRedis(folder, FreePort.Next());
        redis.Start();
        return redis;
    }

    public void Start()
    {
        RunWatchdog.EnsureStarted(LocalPostgres.Binaries);
        var info = new ProcessStartInfo(FindServer())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
                     "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru",
                     "--dir", _folder, "--logfile", Path.Combine(_folder, "redis.log"),
                     "--pidfile", Path.Combine(_folder, "redis.pid"),
                 })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}; see {_folder}/redis.log");
            }

            try
            {
                using var client = new TcpClient("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"redis-server did not listen on {Port} within 20 s.");
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();

    private static string FindServer() =>
        new[] { Environment.GetEnvironmentVariable("LOGBUS_REDIS_SERVER"), "/usr/bin/redis-server", "/usr/local/bin/redis-server" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
        ?? throw new InvalidOperationException(
            "redis-server was not found. Install Debian's redis-server package, or run ./logbus test, which installs it.");
}
