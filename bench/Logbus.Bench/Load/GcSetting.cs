namespace Logbus.Bench.Load;

/// <summary>
/// A garbage collector setting of the services, as environment variables of their processes: the load benchmark's
/// <c>--gc=</c> runs its modes once per setting, on a fresh deployment each, so peak memory and throughput compare in one run.
/// The runtime reads <c>DOTNET_GC*</c> numbers as hexadecimal. Each setting names every variable it relies on, so none is
/// inherited from the default the services are otherwise started with (<see cref="BenchService"/>).
/// </summary>
internal sealed record GcSetting(string Name, string Description, IReadOnlyDictionary<string, string> Environment)
{
    public static readonly GcSetting[] Known =
    [
        // Web SDK projects default to server GC, and since .NET 9 server GC adapts its heap count to the load (DATAS).
        new("server", "server GC as built (DATAS on: the .NET 9+ default)", new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" }),
        new("datas", "server GC, DATAS asked for explicitly (DOTNET_GCDynamicAdaptationMode=1)",
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCDynamicAdaptationMode"] = "1" }),
        new("no-datas", "server GC without DATAS (DOTNET_GCDynamicAdaptationMode=0): one heap per core from the start",
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCDynamicAdaptationMode"] = "0" }),
        new("conserve", "server GC with DOTNET_GCConserveMemory=7 (compacts sooner to keep fragmentation down)",
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCConserveMemory"] = "7" }),
        new("limit200", "server GC with DOTNET_GCHeapHardLimit=200 MB (0xC800000): an OutOfMemoryException past it",
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCHeapHardLimit"] = "0xC800000" }),
        new("workstation", "workstation GC (DOTNET_gcServer=0), concurrent",
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" }),
        new("workstation-conserve", "workstation GC with DOTNET_GCConserveMemory=7",
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_GCConserveMemory"] = "7" }),
    ];

    public static IReadOnlyList<GcSetting> Parse(string names) =>
    [
        .. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n =>
            Known.FirstOrDefault(k => k.Name == n)
            ?? throw new ArgumentException($"Unknown GC setting {n}. Known: {string.Join(", ", Known.Select(k => k.Name))}.")),
    ];
}
