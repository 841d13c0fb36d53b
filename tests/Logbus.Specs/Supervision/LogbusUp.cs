using System.Collections.Concurrent;
using System.Diagnostics;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Supervision;

/// <summary>
/// <c>./logbus up</c> as a user runs it, on a stack folder and service ports of its own (so it never meets a developer's
/// stack) and on the Debug build <c>./logbus test</c> made. It reads what the supervisor records in the stack folder.
/// </summary>
internal sealed class LogbusUp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private LogbusUp(string stack, IReadOnlyDictionary<string, string> environment, Process process)
    {
        Stack = stack;
        Environment = environment;
        _process = process;
    }

    public static IReadOnlyList<string> Services { get; } = ["api", "worker", "query"];

    /// <summary>The stack folder: <c>&lt;name&gt;.pid</c>, <c>.port</c>, <c>.restarts</c>, logs.</summary>
    public string Stack { get; }

    /// <summary>The settings it was started with; another <c>./logbus</c> given them addresses the same stack.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    /// <summary>The pid of <c>./logbus up</c> itself, the one Ctrl-C or SIGTERM reaches.</summary>
    public int ProcessId => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts it; <see cref="WaitUntilUpAsync"/> waits for "Logbus is up".</summary>
    public static LogbusUp Start(params (string Key, string Value)[] settings)
    {
        var stack = Path.Combine(RepositoryPaths.RunFolder, SpecNames.Unique("up"));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LOGBUS_STACK_DIR"] = stack,
            ["LOGBUS_CONFIGURATION"] = RepositoryPaths.Configuration,
            ["LOGBUS_SKIP_BUILD"] = "1",
            ["LOGBUS_QUERY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LOGBUS_API_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LOGBUS_WORKER_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LOGBUS_OTLP_HTTP_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LOGBUS_OTLP_GRPC_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Its own picks (PostgreSQL, Redis, the broker) stay clear of the services' ports above and of other specs' servers.
            ["LOGBUS_PORT_RANGE"] = FreePort.ScriptRange,
            // The specs' machine runs many PostgreSQL servers at once.
            ["LOGBUS_PG_SHARED_BUFFERS"] = "32MB",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var info = Info(environment, "up");
        var process = Process.Start(info) ?? throw new InvalidOperationException("./logbus up did not start");
        var up = new LogbusUp(stack, environment, process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { up._output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { up._output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return up;
    }

    public async Task WaitUntilUpAsync()
    {
        await Eventually.TrueAsync(() => Output.Contains("Logbus is up", StringComparison.Ordinal) || HasExited, TimeSpan.FromMinutes(3),
            "./logbus up says it is up");
        Assert.False(HasExited, $"./logbus up exited with {(HasExited ? ExitCode : 0)}:\n{Output}");
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int Port(string name) =>
        int.Parse(File.ReadLines(Path.Combine(Stack, name + ".port")).First(), System.Globalization.CultureInfo.InvariantCulture);

    public Uri Address(string service) => new($"http://127.0.0.1:{Port(service)}");

    /// <summary>The pid of the process the supervisor runs as <paramref name="name"/>, or null while it has none.</summary>
    public int? Pid(string name)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(Stack, name + ".pid")).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Every pid the stack runs now: services, PostgreSQL, Redis, the dev broker and the keepers.</summary>
    public IReadOnlyList<int> AllPids()
    {
        var pids = new List<int>();
        foreach (var file in Directory.GetFiles(Stack, "*.pid").Concat(Directory.GetFiles(Stack, "*.keeper")))
        {
            if (int.TryParse(File.ReadAllText(file).Trim(), out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    public static void Signal(int pid, string signal) =>
        ExternalProcess.Run("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Runs another <c>./logbus</c> command against this stack; returns its exit code and output.</summary>
    public (int ExitCode, string Output) Run(params string[] arguments)
    {
        using var process = Process.Start(Info(Environment, arguments)) ?? throw new InvalidOperationException("./logbus did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"./logbus {string.Join(' ', arguments)} did not finish:\n{stdout.Result}{stderr.Result}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Waits until the supervisor runs <paramref name="name"/> as another process than <paramref name="before"/>, ready.</summary>
    public async Task<TimeSpan> WaitBackAsync(string name, int before, Func<Task<bool>> ready, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => Pid(name) is { } pid && pid != before && IsAlive(pid) && await ready(), timeout,
            $"{name} is restarted and ready", () => Output[Math.Max(0, Output.Length - 3000)..]);
        return clock.Elapsed;
    }

    /// <summary>SIGTERM, as Ctrl-C's twin, then <c>./logbus down</c> for anything a failed spec left.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(_process.Id, "TERM");
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(90)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        Run("down");
        _process.Dispose();
    }

    private static ProcessStartInfo Info(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "logbus"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }
}
