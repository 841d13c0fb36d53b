using System.Globalization;

namespace Logbus.Bench.Load;

/// <summary>
/// The load benchmark's command line: <c>--mode=</c> one or more of <see cref="Modes"/> (comma-separated; all by
/// default), <c>--rate=</c> (requests/s of <c>steady</c>, events/s of <c>queryable</c>), <c>--duration=</c> seconds per
/// timed mode, <c>--senders=</c> for the maximum-throughput modes, <c>--lines=</c> for <c>import</c>, and
/// <c>--api=</c>/<c>--query=</c> to drive a stack that is already running (<c>./logbus up</c>) instead of starting one.
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
            Url(context, "query"));
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
