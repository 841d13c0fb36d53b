namespace Logbus.Bench;

/// <summary>
/// The GC setting the services run with in the benchmarks, the same as <c>./logbus up</c> (the <c>logbus</c> script's
/// <c>launch_service</c>) and compose give them; <c>./logbus bench load --gc=…</c> compares it with the others
/// (bench/README.md has the figures).
/// </summary>
internal static class ServiceGc
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>();
}
