using System.Globalization;
using System.Security;
using System.Text;

namespace Logbus.Bench.Load;

/// <summary>
/// Throughput and latency over the run as one SVG: events accepted per second (top) and p50/p99 request latency on a
/// log scale (bottom), each scenario in its own colour, on one time axis so a dip lines up with its latency spike.
/// </summary>
internal static class SvgChart
{
    private const int Width = 1200;
    private const int PanelHeight = 220;
    private const int Left = 70;
    private const int Right = 330;
    private const int Top = 55;
    private const int Gap = 50;
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
        "#17becf"];

    public static string Render(string title, IReadOnlyList<LoadPoint> points)
    {
        var svg = new StringBuilder();
        var height = Top + (2 * PanelHeight) + Gap + 40;
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" ")
            + "font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>")
            + Invariant($"<text x=\"{Left}\" y=\"18\" font-size=\"14\">{Escape(title)}</text>"));
        if (points.Count == 0)
        {
            return svg.Append("</svg>").ToString();
        }

        var first = points.Min(p => p.Second);
        var last = Math.Max(points.Max(p => p.Second), first + 1);
        double X(long second) => Left + ((second - first) * (double)(Width - Left - Right) / (last - first));

        // Top panel: events/s, linear.
        var maxEvents = Math.Max(1, points.Max(p => p.Events));
        var topBottom = Top + PanelHeight;
        double YEvents(double value) => topBottom - (value / maxEvents * PanelHeight);
        Axes(svg, Top, "events accepted per second", [0, maxEvents / 2.0, maxEvents], v => YEvents(v), v =>
            v.ToString("N0", CultureInfo.InvariantCulture));

        // Bottom panel: latency, log10 from 0.1 ms.
        var latencyTop = topBottom + Gap;
        var latencyBottom = latencyTop + PanelHeight;
        var maxLatency = Math.Max(1, points.Where(p => !double.IsNaN(p.P99Ms)).Select(p => p.P99Ms).DefaultIfEmpty(1).Max());
        var decades = Math.Max(1, Math.Ceiling(Math.Log10(maxLatency / 0.1)));
        double YLatency(double ms) => latencyBottom - (Math.Log10(Math.Max(ms, 0.1) / 0.1) / decades * PanelHeight);
        var ticks = Enumerable.Range(0, (int)decades + 1).Select(d => 0.1 * Math.Pow(10, d)).ToArray();
        Axes(svg, latencyTop, "request latency, ms (solid p99, dashed p50; log scale)", ticks, YLatency, v =>
            v.ToString("0.###", CultureInfo.InvariantCulture));

        var scenarios = points.Select(p => p.Scenario).Distinct().ToList();
        for (var i = 0; i < scenarios.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var series = points.Where(p => p.Scenario == scenarios[i]).OrderBy(p => p.Second).ToList();
            Line(svg, series.Select(p => (X(p.Second), YEvents(p.Events))), colour, dashed: false);
            Line(svg, series.Where(p => !double.IsNaN(p.P99Ms)).Select(p => (X(p.Second), YLatency(p.P99Ms))), colour, dashed: false);
            Line(svg, series.Where(p => !double.IsNaN(p.P50Ms)).Select(p => (X(p.Second), YLatency(p.P50Ms))), colour, dashed: true);
            var legendY = Top + 10 + (i * 16);
            svg.Append(Invariant($"<rect x=\"{Width - Right + 15}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>"));
            svg.Append(Invariant($"<text x=\"{Width - Right + 30}\" y=\"{legendY}\">{Escape(scenarios[i])}</text>"));
        }

        var step = Math.Max(10, (int)Math.Ceiling((last - first) / 10.0 / 10) * 10);
        for (var second = 0L; second <= last - first; second += step)
        {
            svg.Append(Invariant($"<text x=\"{X(first + second):0.#}\" y=\"{latencyBottom + 15}\" text-anchor=\"middle\">{second}</text>"));
        }

        svg.Append(Invariant($"<text x=\"{Left}\" y=\"{latencyBottom + 32}\">seconds into the run</text>"));
        return svg.Append("</svg>").ToString();

        void Axes(StringBuilder text, int top, string label, IEnumerable<double> values, Func<double, double> y, Func<double, string> format)
        {
            text.Append(Invariant($"<text x=\"{Left}\" y=\"{top - 6}\" font-weight=\"bold\">{Escape(label)}</text>"));
            text.Append(Invariant($"<line x1=\"{Left}\" y1=\"{top}\" x2=\"{Left}\" y2=\"{top + PanelHeight}\" stroke=\"#444\"/>"));
            text.Append(Invariant($"<line x1=\"{Left}\" y1=\"{top + PanelHeight}\" x2=\"{Width - Right}\" y2=\"{top + PanelHeight}\" ")
                + "stroke=\"#444\"/>");
            foreach (var value in values)
            {
                var at = y(value);
                text.Append(Invariant($"<line x1=\"{Left}\" y1=\"{at:0.#}\" x2=\"{Width - Right}\" y2=\"{at:0.#}\" stroke=\"#ddd\"/>"));
                text.Append(Invariant($"<text x=\"{Left - 5}\" y=\"{at + 4:0.#}\" text-anchor=\"end\">{format(value)}</text>"));
            }
        }
    }

    private static void Line(StringBuilder svg, IEnumerable<(double X, double Y)> points, string colour, bool dashed)
    {
        var path = string.Join(" ", points.Select(p => Invariant($"{p.X:0.#},{p.Y:0.#}")));
        if (path.Length == 0)
        {
            return;
        }

        svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"{(dashed ? " stroke-dasharray=\"4 3\"" : "")} ")
            + Invariant($"points=\"{path}\"/>"));
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
