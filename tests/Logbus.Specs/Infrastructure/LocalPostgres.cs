using Npgsql;

namespace Logbus.Specs.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster for specs: <c>initdb</c> into this run's folder, <c>pg_ctl</c> on a free loopback port.
/// Never touches a system-wide PostgreSQL. As root it runs the server as the <c>postgres</c> user, because PostgreSQL
/// refuses to run as root.
/// </summary>
internal sealed class LocalPostgres : IDisposable
{
    private const string Superuser = "logbus";
    private readonly string _dataDir;
    private readonly string _bin;
    private readonly bool _durable;
    private bool _running;

    private LocalPostgres(string folder, int port, bool durable)
    {
        _dataDir = Path.Combine(folder, "data");
        _bin = FindBinaries();
        _durable = durable;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Where initdb and pg_ctl are.</summary>
    public static string Binaries => FindBinaries();

    public string LogFile => Path.Combine(_dataDir, "..", "postgres.log");

    /// <param name="durable">
    /// Keep PostgreSQL's crash safety (fsync, synchronous commit). Specs that crash a server need it: without it a
    /// commit is acknowledged before it is on disk, and a crash loses what Logbus already answered for.
    /// </param>
    public static LocalPostgres Create(string name, bool durable = false)
    {
        var folder = Path.Combine(RepositoryPaths.RunFolder, name);
        Directory.CreateDirectory(folder);
        var server = new LocalPostgres(folder, FreePort.Next(), durable);
        RunWatchdog.EnsureStarted(server._bin);
        server.InitDb(folder);
        server.Start();
        return server;
    }

    public string ConnectionString(string database = "postgres", string user = Superuser) =>
        $"Host=127.0.0.1;Port={Port};Username={user};Database={database};Timeout=5;Command Timeout=60";

    public void Start()
    {
        Run("pg_ctl", "-D", _dataDir, "-l", LogFile, "-w", "-t", "60", "-o", ServerOptions(), "start");
        _running = true;
    }

    /// <summary>Stops the server: <paramref name="immediate"/> is a crash (no checkpoint), as when the host dies.</summary>
    public void Stop(bool immediate = false)
    {
        if (!_running)
        {
            return;
        }

        Run("pg_ctl", "-D", _dataDir, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop");
        _running = false;
        NpgsqlConnection.ClearAllPools();
    }

    public void Dispose()
    {
        try
        {
            Stop(immediate: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone; nothing left to stop.
        }
    }

    private string ServerOptions() => string.Join(' ',
        $"-p {Port}",
        "-c listen_addresses=127.0.0.1",
        "-c unix_socket_directories=''",
        "-c max_connections=400",
        "-c shared_buffers=256MB",
        // The benchmark specs check ./logbus bench's statement breakdown, which reads pg_stat_statements.
        "-c shared_preload_libraries=pg_stat_statements",
        // ./logbus bench measures ingest-to-queryable from each row's commit time.
        "-c track_commit_timestamp=on",
        // Most specs want speed, not crash safety of a throwaway cluster; those that crash it ask for durability.
        _durable ? "" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off");

    private void InitDb(string folder)
    {
        if (RunsAsRoot)
        {
            ExternalProcess.Run("chown", ["-R", "postgres:postgres", folder]);
        }

        Run("initdb", "-D", _dataDir, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
    }

    private void Run(string tool, params string[] arguments)
    {
        var path = Path.Combine(_bin, tool);
        if (RunsAsRoot)
        {
            ExternalProcess.Run("runuser", ["-u", "postgres", "--", path, .. arguments], TimeSpan.FromMinutes(2));
        }
        else
        {
            ExternalProcess.Run(path, arguments, TimeSpan.FromMinutes(2));
        }
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("LOGBUS_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        var debian = new DirectoryInfo("/usr/lib/postgresql");
        if (debian.Exists)
        {
            var newest = debian.GetDirectories()
                .Where(d => File.Exists(Path.Combine(d.FullName, "bin", "pg_ctl")))
                .OrderByDescending(d => int.TryParse(d.Name, out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return Path.Combine(newest.FullName, "bin");
            }
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "pg_ctl")));
        return onPath ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found. " +
                "Install Debian's postgresql package, or run ./logbus test, which installs it.");
    }
}
