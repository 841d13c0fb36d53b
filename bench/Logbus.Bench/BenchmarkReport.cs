using System.Globalization;
using System.Text;

namespace Logbus.Bench;

/// <summary>A benchmark's figures, each optionally beside the baseline it is compared with.</summary>
internal sealed class BenchmarkReport(string benchmark)
{
    public string Benchmark { get; } = benchmark;

    public List<Figure> Figures { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>PostgreSQL's statement time per kind, by mode or phase (empty without pg_stat_statements).</summary>
    public Dictionary<string, IReadOnlyList<Measuring.StatementBreakdown.KindTotal>> Statements { get; } = new(StringComparer.Ordinal);

    public BenchmarkReport Add(string name, double value, string unit, double? baseline = null, string? baselineName = null)
    {
        Figures.Add(new Figure(name, value, unit, baseline, baselineName));
        return this;
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## {Benchmark}").AppendLine();
        text.AppendLine("| figure | value | baseline (same run) | ratio |").AppendLine("|---|---|---|---|");
        foreach (var f in Figures)
        {
            var baseline = f.Baseline is { } b ? $"{Format(b)} {f.Unit} ({f.BaselineName})" : "";
            var ratio = f.Baseline is { } d && d != 0 ? $"{f.Value / d:P0}" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {Format(f.Value)} {f.Unit} | {baseline} | {ratio} |");
        }

        foreach (var note in Notes)
        {
            text.AppendLine().AppendLine(note);
        }

        return text.ToString();
    }

    private static string Format(double value) =>
        value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

    public sealed record Figure(string Name, double Value, string Unit, double? Baseline, string? BaselineName);
}
