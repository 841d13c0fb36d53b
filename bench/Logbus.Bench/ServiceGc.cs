namespace Logbus.Bench;

/// <summary>
/// Environment the services get in the benchmarks on top of their runtimeconfig: none, so they run with the GC setting
/// they are built with (workstation GC, GCConserveMemory=7, from Directory.Build.props), as under <c>./logbus up</c> and
/// compose; <c>./logbus bench load --gc=…</c> compares it with the others (bench/README.md has the figures).
/// </summary>
internal static class ServiceGc
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>();
}
