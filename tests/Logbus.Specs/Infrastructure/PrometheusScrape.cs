using System.Globalization;

namespace Logbus.Specs.Infrastructure;

/// <summary>Reads a service's <c>/metrics</c> text: the sum of a metric's samples whose labels contain every given pair.</summary>
public static class PrometheusScrape
{
    public static async Task<double?> SumAsync(HttpClient client, string metric, params (string Label, string Value)[] labels)
    {
        var text = await client.GetStringAsync("/metrics");
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(metric, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[metric.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' '))
            {
                continue;
            }

            if (labels.Any(l => !rest.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                continue;
            }

            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            sum = (sum ?? 0) + value;
        }

        return sum;
    }
}
