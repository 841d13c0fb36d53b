using System.Globalization;

namespace Logbus.Bench.Measuring;

/// <summary>
/// Reads what a service's <c>/metrics</c> answers (Prometheus text format): the samples of one metric, each with its
/// labels. Enough for the counters and gauges the benchmarks read; no histogram arithmetic.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The samples of <paramref name="metric"/> (exact name, e.g. <c>logbus_worker_events_stored_total</c>).</summary>
    public static IEnumerable<Sample> Samples(string text, string metric)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith(metric, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[metric.Length..];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (rest.StartsWith('{'))
            {
                var end = rest.IndexOf('}', StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                foreach (var pair in rest[1..end].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        labels[pair[..eq].Trim()] = pair[(eq + 1)..].Trim().Trim('"');
                    }
                }

                rest = rest[(end + 1)..];
            }
            else if (rest.Length == 0 || rest[0] != ' ')
            {
                // Another metric whose name starts with this one's (…_total_bytes, say).
                continue;
            }

            var value = rest.Trim().Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                yield return new Sample(labels, number);
            }
        }
    }

    /// <summary>The sum over every series of <paramref name="metric"/>; 0 when it is not there.</summary>
    public static double Sum(string text, string metric) => Samples(text, metric).Sum(s => s.Value);

    internal sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value);
}
