using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Observability;

/// <summary>The PromQL of every Prometheus panel target of every Grafana dashboard in <c>dashboards/grafana</c>.</summary>
internal static class DashboardExpressions
{
    public static string Folder => Path.Combine(RepositoryPaths.Root, "dashboards", "grafana");

    public static List<(string Where, string Expression)> All() =>
        [.. Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal).SelectMany(file =>
        {
            using var dashboard = JsonDocument.Parse(File.ReadAllText(file));
            var title = dashboard.RootElement.GetProperty("title").GetString();
            return Panels(dashboard.RootElement)
                .SelectMany(p => p.TryGetProperty("targets", out var targets) ? targets.EnumerateArray().Select(t => (Panel: p, Target: t)) : [])
                // PromQL only: the Logs dashboard's targets are SQL (rawSql), checked by GrafanaLogsDashboardSpecs.
                .Where(x => x.Target.TryGetProperty("expr", out _))
                .Select(x => ($"{title} / {x.Panel.GetProperty("title").GetString()} / {x.Target.GetProperty("refId").GetString()}",
                    x.Target.GetProperty("expr").GetString()!))
                .ToList();
        })];

    /// <summary>
    /// Grafana's own variables, replaced as Grafana would before a query reaches Prometheus (the specs scrape every
    /// second, so a minute holds plenty of samples).
    /// </summary>
    public static string AsGrafanaSends(string expression) =>
        expression.Replace("$__rate_interval", "1m", StringComparison.Ordinal)
            .Replace("$__interval", "15s", StringComparison.Ordinal)
            .Replace("$__range", "5m", StringComparison.Ordinal);

    private static IEnumerable<JsonElement> Panels(JsonElement container)
    {
        if (!container.TryGetProperty("panels", out var panels))
        {
            yield break;
        }

        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            foreach (var nested in Panels(panel))
            {
                yield return nested;
            }
        }
    }
}
