using System.Globalization;

namespace Logbus.Bench.Load;

/// <summary>
/// The load benchmark's command line: <c>--mode=</c> one or more of <see cref="Modes"/> (comma-separated; all by
/// default), <c>--rate=</c> (requests/s of <c>steady</c>, events/s of <c>queryable</c>), <c>--duration=</c> seconds per
/// timed mode, <c>--senders=</c> for the maximum-throughput modes, <c>--lines=</c> for <c>import</c>, and
/// <c>--api=</c>/<c>--query=</c> to drive a stack that is already running (<c>./logbus up</c>) instead of starting one
/// (with <c>--worker=</c>, its Worker's metrics count what is stored; with <c>--database=</c>, a connection string of its
/// database, as superuser, the run's rows are checked and PostgreSQL's statements broken down). <c>--apis=</c> and
/// <c>--workers=</c> start that many Api and Worker processes; <c>--batch=</c> is the events per request of
/// <c>max-batches</c> (1,000); <c>--warmup=</c> seconds of untimed load first (30; none with <c>--api=</c>); <c>--gc=</c> runs the modes once per GC
/// setting of the services (<see cref="GcSetting"/>).
/// </summary>
internal sealed record LoadOptions(
    IReadOnlyList<string> Modes,
    double? Rate,
    TimeSpan? Duration,
    int? Senders,
    int ImportLines,
    Uri? Api,
    Uri? Query)
{
    public int Apis { get; init; } = 1;

    /// <summary>
    /// Seconds of untimed load before the first timed mode (<c>--warmup=</c>, 0 for none): a fresh deployment compiles its
    /// code while it serves, which took about a third of the services' CPU in their first half minute.
    /// </summary>
    public int WarmupSeconds { get; init; } = 30;

    public int Workers { get; init; } = 1;

    public int BatchSize { get; init; } = 1_000;

    public Uri? Worker { get; init; }

    public string? Database { get; init; }

    public IReadOnlyList<GcSetting> GcSettings { get; init; } = [];

    public static readonly string[] AllModes = ["baseline", "tutorial", "steady", "queryable", "max-batches", "otlp-batches", "max-singles", "import",
        "query"];

    public static LoadOptions From(BenchContext context)
    {
        var modes = context.Option("mode")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? AllModes;
        var unknown = modes.Except(AllModes, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown load mode(s): {string.Join(", ", unknown)}. Modes: {string.Join(", ", AllModes)}.");
        }

        return new LoadOptions(
            modes,
            Number(context, "rate"),
            Number(context, "duration") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Number(context, "senders") is { } senders ? (int)senders : null,
            (int)(Number(context, "lines") ?? (context.Full ? 1_000_000 : 100_000)),
            Url(context, "api"),
            Url(context, "query"))
        {
            Apis = (int)(Number(context, "apis") ?? 1),
            WarmupSeconds = (int)(Number(context, "warmup") ?? 30),
            Workers = (int)(Number(context, "workers") ?? 1),
            BatchSize = (int)(Number(context, "batch") ?? 1_000),
            Worker = Url(context, "worker"),
            Database = context.Option("database"),
            GcSettings = context.Option("gc") is { } gc ? GcSetting.Parse(gc) : [],
        };
    }

    public bool Runs(string mode) => Modes.Contains(mode, StringComparer.Ordinal);

    private static double? Number(BenchContext context, string name) =>
        context.Option(name) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new ArgumentException($"--{name}={text} is not a positive number.")
            : null;

    private static Uri? Url(BenchContext context, string name) =>
        context.Option(name) is { } text
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"--{name}={text} is not an absolute URL.")
            : null;
}
