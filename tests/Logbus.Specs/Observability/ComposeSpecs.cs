using System.Text.Json;
using System.Text.RegularExpressions;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Observability;

/// <summary>
/// compose/ without a Docker engine: Debian's docker-compose parses and resolves the file, every host path it mounts or
/// builds from exists, promtool accepts its Prometheus configuration, and Grafana's provisioning matches the dashboards.
/// </summary>
[Trait("Kind", "Integration")]
public sealed partial class ComposeSpecs
{
    private static string Compose => Path.Combine(RepositoryPaths.Root, "compose");

    [Fact]
    public async Task Docker_compose_config_accepts_the_file_and_every_path_it_names_exists()
    {
        var tool = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("docker-compose is missing: ./logbus test installs Debian's docker-compose package.");

        var config = await LocalPrometheus.RunAsync(tool, "--project-directory", Compose, "-f", Path.Combine(Compose, "docker-compose.yml"),
            "config");

        Assert.True(config.ExitCode == 0, config.Output);
        foreach (var service in new[] { "kafka:", "postgres:", "redis:", "api:", "worker:", "query:", "prometheus:", "grafana:" })
        {
            Assert.Contains("\n  " + service, config.Output, StringComparison.Ordinal);
        }

        var contexts = BuildContext().Matches(config.Output).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, contexts.Count);
        Assert.All(contexts, c => Assert.True(File.Exists(Path.Combine(c, "compose", "Dockerfile")), $"{c}/compose/Dockerfile"));
        var mounts = BindMount().Matches(config.Output).Select(m => m.Groups[1].Value).ToList();
        Assert.True(mounts.Count >= 4, config.Output);
        Assert.All(mounts, m => Assert.True(File.Exists(m) || Directory.Exists(m), $"mounted {m} exists"));
    }

    [Fact]
    public async Task Promtool_accepts_compose_s_Prometheus_configuration_which_scrapes_the_jobs_the_dashboards_name()
    {
        var file = Path.Combine(Compose, "prometheus", "prometheus.yml");

        var check = await LocalPrometheus.RunAsync(LocalPrometheus.Tool("promtool"), "check", "config", file);

        Assert.True(check.ExitCode == 0, check.Output);
        var text = await File.ReadAllTextAsync(file);
        foreach (var job in new[] { "logbus-api", "logbus-worker", "logbus-query" })
        {
            Assert.Contains("job_name: " + job, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_dashboard_panel_uses_the_provisioned_Prometheus_data_source()
    {
        var provisioned = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "dashboards", "provisioning", "datasources",
            "prometheus.yml"));
        Assert.Contains("uid: prometheus", provisioned, StringComparison.Ordinal);

        foreach (var file in Directory.GetFiles(DashboardExpressions.Folder, "*.json"))
        {
            using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            var uids = dashboard.RootElement.GetProperty("panels").EnumerateArray()
                .Where(p => p.GetProperty("type").GetString() != "row")
                .Select(p => p.GetProperty("datasource").GetProperty("uid").GetString())
                .ToList();
            Assert.NotEmpty(uids);
            // The Logs dashboard reads PostgreSQL (provisioning/datasources/postgres.yml); every other panel, Prometheus.
            Assert.All(uids, uid => Assert.Equal(Path.GetFileName(file) == "logs.json" ? "logbus-postgres" : "prometheus", uid));
        }
    }

    [GeneratedRegex(@"^\s+context: (/\S+)$", RegexOptions.Multiline)]
    private static partial Regex BuildContext();

    [GeneratedRegex(@"^\s+- (/[^:\s]+):/", RegexOptions.Multiline)]
    private static partial Regex BindMount();
}
