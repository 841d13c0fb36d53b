using System.Globalization;

namespace Logbus.Bench.Load;

/// <summary>
/// Where the machine's time goes: CPU seconds of each part of the system (the services, PostgreSQL's processes, Redis,
/// the dev broker, the load generator itself) from <c>/proc</c>, and their peak resident memory. Linux only; elsewhere
/// it stays empty and the report says so.
/// </summary>
internal sealed class ProcessUsage
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on.
    private readonly Dictionary<string, Func<double>> _parts;
    private readonly IReadOnlyDictionary<string, int> _services;
    private readonly Dictionary<string, double> _peakResidentMb = new(StringComparer.Ordinal);
    private readonly Lock _windowLock = new();
    private Dictionary<string, double> _windowPeakMb = new(StringComparer.Ordinal);

    public ProcessUsage(IReadOnlyDictionary<string, int> services)
    {
        _services = services;
        _parts = new Dictionary<string, Func<double>>(StringComparer.Ordinal);
        foreach (var (name, pid) in services)
        {
            _parts[name] = () => CpuSecondsOf(pid);
        }

        // PostgreSQL's backends and autovacuum workers come and go during a mode: what the exited ones used is counted
        // in their postmaster's reaped children. Without it a mode's figure dropped, once below zero, whenever one exited.
        _parts["PostgreSQL"] = () => ByName(c => c == "postgres").Sum(pid => StatFields(pid) is { } fields
            ? CpuSecondsOf(fields, withExitedChildren: IsPostmaster(fields)) : 0);
        _parts["Redis"] = () => ByName(c => c.StartsWith("redis-server", StringComparison.Ordinal)).Sum(pid => CpuSecondsOf(pid));
        _parts["dev broker"] = () => ByCommandLine("Logbus.DevBroker").Sum(pid => CpuSecondsOf(pid));
        _parts["load generator"] = () => CpuSecondsOf(Environment.ProcessId);
    }

    public static bool Available => File.Exists("/proc/self/stat");

    /// <summary>Peak resident memory of each service, in MB.</summary>
    public IReadOnlyDictionary<string, double> PeakResidentMb => _peakResidentMb;

    /// <summary>CPU seconds used so far by each part.</summary>
    public Dictionary<string, double> CpuSeconds() =>
        _parts.ToDictionary(p => p.Key, p => p.Value(), StringComparer.Ordinal);

    /// <summary>
    /// Samples the resident memory of each Logbus service and keeps its peak. Only the services: PostgreSQL's processes
    /// share their buffers, so a sum of theirs would count those many times over.
    /// </summary>
    public void SampleMemory()
    {
        lock (_windowLock)
        {
            foreach (var (name, pid) in _services)
            {
                var megabytes = ResidentMbOf(pid);
                _peakResidentMb[name] = Math.Max(_peakResidentMb.GetValueOrDefault(name), megabytes);
                _windowPeakMb[name] = Math.Max(_windowPeakMb.GetValueOrDefault(name), megabytes);
            }
        }
    }

    /// <summary>
    /// The peak resident memory of each service since the last call, and a new window from now: which mode of a suite
    /// reaches the suite's peak, so a change to memory can be aimed at it.
    /// </summary>
    public IReadOnlyDictionary<string, double> NextMemoryWindow()
    {
        SampleMemory();
        lock (_windowLock)
        {
            var peaks = _windowPeakMb;
            _windowPeakMb = new Dictionary<string, double>(StringComparer.Ordinal);
            return peaks;
        }
    }

    /// <summary>What each part used between two readings, as a share of the machine's cores over that time.</summary>
    public static string Breakdown(Dictionary<string, double> before, Dictionary<string, double> after, double seconds)
    {
        var cores = Environment.ProcessorCount;
        var used = after.Select(a => (Part: a.Key, Cpu: a.Value - before.GetValueOrDefault(a.Key))).OrderByDescending(p => p.Cpu).ToList();
        var total = used.Sum(u => u.Cpu);
        return string.Join(", ", used.Select(u => $"{u.Part} {u.Cpu / seconds:0.00} cores")) +
               $"; together {total / seconds:0.00} of {cores} cores ({total / (seconds * cores):P0})";
    }

    private static double CpuSecondsOf(int pid) => StatFields(pid) is { } fields ? CpuSecondsOf(fields, withExitedChildren: false) : 0;

    /// <param name="withExitedChildren">Adds what the process's exited and reaped children used (cutime and cstime).</param>
    private static double CpuSecondsOf(string[] fields, bool withExitedChildren)
    {
        var ticks = Ticks(fields, 11) + Ticks(fields, 12);
        if (withExitedChildren)
        {
            ticks += Ticks(fields, 13) + Ticks(fields, 14);
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>The postmaster is the one PostgreSQL process whose parent is not PostgreSQL.</summary>
    private static bool IsPostmaster(string[] fields) =>
        fields.Length > 1 && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var parent)
        && Read($"/proc/{parent}/comm")?.Trim() != "postgres";

    /// <summary>The fields of /proc/pid/stat after the command name (which may hold spaces): state, parent, …</summary>
    private static string[]? StatFields(int pid) =>
        Read($"/proc/{pid}/stat") is { } stat ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ') : null;

    private static double Ticks(string[] fields, int index) =>
        fields.Length > index && double.TryParse(fields[index], CultureInfo.InvariantCulture, out var ticks) ? ticks : 0;

    private static double ResidentMbOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    private static IEnumerable<int> ByName(Func<string, bool> matches) =>
        Pids().Where(pid => Read($"/proc/{pid}/comm")?.Trim() is { } comm && matches(comm));

    private static IEnumerable<int> ByCommandLine(string part) =>
        Pids().Where(pid => Read($"/proc/{pid}/cmdline")?.Contains(part, StringComparison.Ordinal) == true);

    private static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n is not null && n.All(char.IsAsciiDigit))
            .Select(n => int.Parse(n!, CultureInfo.InvariantCulture));

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
