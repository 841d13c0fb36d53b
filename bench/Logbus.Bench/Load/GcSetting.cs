using System.Globalization;

namespace Logbus.Bench.Load;

/// <summary>
/// A garbage collector (or thread pool) setting of the services, as environment variables of their processes: the load benchmark's
/// <c>--gc=</c> runs its modes once per setting, on a fresh deployment each, so peak memory and throughput compare in one run.
/// The runtime reads <c>DOTNET_GC*</c> numbers as hexadecimal. Each setting names every variable it relies on, so none is
/// inherited from the default the services are otherwise started with (<see cref="BenchService"/>).
/// </summary>
internal sealed record GcSetting(string Name, string Description, IReadOnlyDictionary<string, string> Environment)
{
    public static readonly GcSetting[] Known =
    [
        // The services' runtimeconfig (Directory.Build.props) asks for workstation GC with GCConserveMemory=7; the Web SDK's
        // own default is server GC, which since .NET 9 adapts its heap count to the load (DATAS).
        new("server", "server GC, the Web SDK's default (DATAS on: the .NET 9+ default)", Server()),
        new("datas", "server GC, DATAS asked for explicitly (DOTNET_GCDynamicAdaptationMode=1)",
            Server(("DOTNET_GCDynamicAdaptationMode", "1"))),
        new("no-datas", "server GC without DATAS (DOTNET_GCDynamicAdaptationMode=0): one heap per core from the start",
            Server(("DOTNET_GCDynamicAdaptationMode", "0"))),
        new("conserve", "server GC with DOTNET_GCConserveMemory=7 (compacts sooner to keep fragmentation down)",
            Server(("DOTNET_GCConserveMemory", "7"))),
        new("limit200", "server GC with DOTNET_GCHeapHardLimit=200 MB (0xC800000): an OutOfMemoryException past it",
            Server(("DOTNET_GCHeapHardLimit", "0xC800000"))),
        new("workstation", "workstation GC (DOTNET_gcServer=0), concurrent, without GCConserveMemory",
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_GCConserveMemory"] = "0" }),
        new("workstation-conserve", "workstation GC with DOTNET_GCConserveMemory=7 (what the services are built with)", WorkstationConserve()),
        // Workstation GC sizes its gen0 budget from the CPU's cache; what is allocated within it is resident until the next
        // gen0 collection. On the 2-core machine of bench/README.md the runtime's own budget is about 2 MB.
        new("gen0-8mb", "workstation-conserve with an 8 MB gen0 budget (DOTNET_GCgen0size=0x800000)",
            WorkstationConserve(("DOTNET_GCgen0size", "0x800000"))),
        new("gen0-4mb", "workstation-conserve with a 4 MB gen0 budget (DOTNET_GCgen0size=0x400000)",
            WorkstationConserve(("DOTNET_GCgen0size", "0x400000"))),
        // A chunk (a request body, a record's value, its serialized form) is a few hundred kB: above the 85,000-byte threshold
        // each lands in the large object heap, which only a gen2 collection frees.
        new("loh-1mb", "workstation-conserve with arrays up to 1 MB in the small object heap (DOTNET_GCLOHThreshold=0x100000)",
            WorkstationConserve(("DOTNET_GCLOHThreshold", "0x100000"))),
        // A thread pool worker that finds no work spins before it sleeps (the runtime's 70 rounds); on 2 cores shared with
        // PostgreSQL that spinning is CPU the database does not get. The Api sleeps at once since 2026-12-07 (the Query and the
        // Worker keep the runtime's default: the Query answered fewer requests without it).
        new("spin", "workstation-conserve, the Api's thread pool workers spinning before they sleep (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=70, "
            + "the runtime's default; the Api's before 2026-12-07)", WorkstationConserve(("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "70"))),
        // Tiered PGO compiles hot methods once more with instrumentation before their final version: more JIT code resident.
        new("pgo-off", "workstation-conserve without tiered PGO (DOTNET_TieredPGO=0)", WorkstationConserve(("DOTNET_TieredPGO", "0"))),
        // With W^X (the default since .NET 7) JIT code lives in shared memory mapped twice, writable and executable.
        new("wx-off", "workstation-conserve without W^X for JIT code (DOTNET_EnableWriteXorExecute=0)",
            WorkstationConserve(("DOTNET_EnableWriteXorExecute", "0"))),
        new("pgo-wx-off", "workstation-conserve without tiered PGO and without W^X",
            WorkstationConserve(("DOTNET_TieredPGO", "0"), ("DOTNET_EnableWriteXorExecute", "0"))),
        // Tiered compilation JITs a method quickly first (tier 0) and again optimized once it is called often: both copies stay
        // resident. Without quick JIT a method without ready-to-run code is compiled optimized once (the framework's
        // ready-to-run code still tiers up); without tiered compilation at all ready-to-run code is never replaced.
        new("quick-jit-off", "workstation-conserve, methods without ready-to-run code JIT-compiled optimized at once (DOTNET_TC_QuickJit=0)",
            WorkstationConserve(("DOTNET_TC_QuickJit", "0"))),
        new("tc-off", "workstation-conserve without tiered compilation (DOTNET_TieredCompilation=0)",
            WorkstationConserve(("DOTNET_TieredCompilation", "0"))),
        // Not a runtime setting: ASP.NET Core's own per-request meters exported through prometheus-net's meter adapter, as before 2026-12-07.
        new("framework-http-meters",
            "workstation-conserve, the services exporting ASP.NET Core's and Kestrel's meters too (Monitoring__ExportFrameworkHttpMeters=true)",
            WorkstationConserve(("Monitoring__ExportFrameworkHttpMeters", "true"))),
        // Not runtime settings: the Worker's read-ahead, which every partition it owns holds while it is behind. Each names
        // both variables, so it means the same whatever the defaults of the day (512 KiB lanes and 8 MiB since 2026-12-06).
        new("read-ahead-2mb", "workstation-conserve, the Worker reading 2 MiB ahead per partition and 16 MiB in librdkafka (before 2026-12-06)",
            WorkerReadAhead(2048, 16384)),
        new("read-ahead-1mb", "workstation-conserve, the Worker reading 1 MiB ahead per partition and 16 MiB in librdkafka",
            WorkerReadAhead(1024, 16384)),
        new("fetch-8mb", "workstation-conserve, the Worker reading 2 MiB ahead per partition and 8 MiB in librdkafka",
            WorkerReadAhead(2048, 8192)),
        new("read-ahead-512k", "workstation-conserve, the Worker reading 512 KiB ahead per partition and 8 MiB in librdkafka",
            WorkerReadAhead(512, 8192)),
        // Not runtime settings either: how single-event requests are grouped into chunks in the Api. Each chunk is one record
        // and one store transaction in the Worker, whatever its size.
        new("linger-1ms", "workstation-conserve, the Api's producer lingering 1 ms (Kafka:Linger; the default since 2026-12-06 night)",
            WorkstationConserve(("Kafka__Linger", "00:00:00.001"))),
        new("linger-5ms", "workstation-conserve, the Api's producer lingering 5 ms (Kafka:Linger; the default before 2026-12-06 night)",
            WorkstationConserve(("Kafka__Linger", "00:00:00.005"))),
        new("singles-1-writer", "workstation-conserve, one group-commit writer for single events instead of 2 (Ingest:SingleEventWriters)",
            WorkstationConserve(("Ingest__SingleEventWriters", "1"))),
        new("singles-2-writers",
            "workstation-conserve, two group-commit writers for single events (Ingest:SingleEventWriters=2, the default before 2026-12-06)",
            WorkstationConserve(("Ingest__SingleEventWriters", "2"))),
        new("linger-1ms-2-writers", "workstation-conserve, the Api's producer lingering 1 ms and two group-commit writers for single events",
            WorkstationConserve(("Kafka__Linger", "00:00:00.001"), ("Ingest__SingleEventWriters", "2"))),
        // How the Worker groups records into store transactions: merging off is how it stored before 2026-12-06 (night).
        new("no-merge", "workstation-conserve, every record stored in a transaction of its own (Worker:Storing:MergeMaxRecords=1)",
            WorkstationConserve(("Worker__Storing__MergeMaxRecords", "1"))),
        new("parse-records-first",
            "workstation-conserve, the Worker reading records with MassTransit's raw JSON deserializer (before 2026-12-06 night)",
            WorkstationConserve(("Worker__Storing__ReadRecordsDirectly", "false"))),
        new("outbox-envelopes",
            "workstation-conserve, the Api's outbox storing topic sends in MassTransit's envelope (Messaging:BusOutbox:CaptureEnvelopes; "
            + "before 2026-12-07)",
            WorkstationConserve(("Messaging__BusOutbox__CaptureEnvelopes", "true"))),
        new("no-direct",
            "workstation-conserve, every chunk through the Api's outbox (Ingest:DirectProduce=false; an import's chunks went so "
            + "before 2026-12-07 evening)",
            WorkstationConserve(("Ingest__DirectProduce", "false"))),
        new("merge-16k-events",
            "workstation-conserve, up to 16,000 events in one merged store transaction (Worker:Storing:MergeMaxEvents=16000; 4,000 by default)",
            WorkstationConserve(("Worker__Storing__MergeMaxEvents", "16000"))),
        new("store-3-slots",
            "workstation-conserve, three store transactions at once (Worker:Storing:StoreConcurrency=3; processor count, 2, by default)",
            WorkstationConserve(("Worker__Storing__StoreConcurrency", "3"))),
        new("store-4-slots",
            "workstation-conserve, four store transactions at once (Worker:Storing:StoreConcurrency=4; processor count, 2, by default)",
            WorkstationConserve(("Worker__Storing__StoreConcurrency", "4"))),
        new("merge-1-slot", "workstation-conserve, records merged into one store transaction at a time (Worker:Storing:StoreConcurrency=1)",
            WorkstationConserve(("Worker__Storing__StoreConcurrency", "1"))),
        new("no-merge-imports",
            "workstation-conserve, every chunk of an import stored in a transaction of its own (Worker:Storing:MergeImportChunks=false; "
            + "the way before 2026-12-07 night)",
            WorkstationConserve(("Worker__Storing__MergeImportChunks", "false"))),
        new("no-hold-wait",
            "workstation-conserve, an import's chunk goes to the outbox at once while the retention guard holds the topic (Imports:MaxHoldWait=0; "
            + "the way before 2026-12-07 night, stop 42)",
            WorkstationConserve(("Imports__MaxHoldWait", "00:00:00"))),
    ];

    public static IReadOnlyList<GcSetting> Parse(string names) =>
    [
        .. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n =>
            Known.FirstOrDefault(k => k.Name == n)
            ?? throw new ArgumentException($"Unknown GC setting {n}. Known: {string.Join(", ", Known.Select(k => k.Name))}.")),
    ];

    /// <summary>Server GC without the services' GCConserveMemory, plus <paramref name="more"/>.</summary>
    private static Dictionary<string, string> Server(params (string Name, string Value)[] more) =>
        With([("DOTNET_gcServer", "1"), ("DOTNET_GCConserveMemory", "0"), .. more]);

    /// <summary>What the services are built with (workstation GC, GCConserveMemory=7), plus <paramref name="more"/>.</summary>
    private static Dictionary<string, string> WorkstationConserve(params (string Name, string Value)[] more) =>
        With([("DOTNET_gcServer", "0"), ("DOTNET_GCConserveMemory", "7"), .. more]);

    /// <summary>What the services are built with, the Worker's lanes and librdkafka reading this many KiB ahead.</summary>
    private static Dictionary<string, string> WorkerReadAhead(int laneKilobytes, int fetchKilobytes) =>
        WorkstationConserve(("Worker__Storing__PrefetchKilobytesPerPartition", laneKilobytes.ToString(CultureInfo.InvariantCulture)),
            ("Worker__Storing__FetchQueueKilobytes", fetchKilobytes.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The variables in order, a later one replacing an earlier one of the same name (conserve overrides server's 0).</summary>
    private static Dictionary<string, string> With((string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string>();
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }
}
