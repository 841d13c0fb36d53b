using System.Text.Json;
using System.Text.RegularExpressions;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Observability;

/// <summary>
/// compose/ without a Docker engine: Debian's docker-compose parses and resolves the file (with the .env that
/// <c>./logbus compose-env</c> generates), every host path it mounts or builds from exists, promtool accepts its Prometheus
/// configuration, and Grafana's provisioning matches the dashboards. And its safety rules: no password in the file, each
/// one required, only the client-facing ports published and on loopback, migrations before the services.
/// </summary>
[Trait("Kind", "Integration")]
public sealed partial class ComposeSpecs
{
    private static readonly string[] Secrets =
        ["LOGBUS_MIGRATOR_PASSWORD", "LOGBUS_WRITER_PASSWORD", "LOGBUS_READER_PASSWORD", "REDIS_PASSWORD", "GRAFANA_ADMIN_PASSWORD"];

    private static string Compose => Path.Combine(RepositoryPaths.Root, "compose");

    private static string Tool => new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("docker-compose is missing: ./logbus test installs Debian's docker-compose package.");

    [Fact]
    public async Task Docker_compose_config_accepts_the_file_and_every_path_it_names_exists()
    {
        var config = await ConfigAsync(await GeneratedEnvAsync());

        Assert.True(config.ExitCode == 0, config.Output);
        foreach (var service in new[] { "kafka:", "postgres:", "redis:", "migrate:", "api:", "worker:", "query:", "prometheus:", "grafana:" })
        {
            Assert.Contains("\n  " + service, config.Output, StringComparison.Ordinal);
        }

        var contexts = BuildContext().Matches(config.Output).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, contexts.Count);
        Assert.All(contexts, c => Assert.True(File.Exists(Path.Combine(c, "compose", "Dockerfile")), $"{c}/compose/Dockerfile"));
        var mounts = BindMount().Matches(config.Output).Select(m => m.Groups[1].Value).ToList();
        Assert.True(mounts.Count >= 4, config.Output);
        Assert.All(mounts, m => Assert.True(File.Exists(m) || Directory.Exists(m), $"mounted {m} exists"));
    }

    [Fact]
    public async Task Compose_refuses_to_start_without_each_password_and_names_the_missing_one()
    {
        var generated = await File.ReadAllLinesAsync(await GeneratedEnvAsync());

        foreach (var secret in Secrets)
        {
            var without = Path.Combine(RepositoryPaths.RunFolder, $"compose-without-{secret}.env");
            await File.WriteAllLinesAsync(without, generated.Where(line => !line.StartsWith(secret + "=", StringComparison.Ordinal)));

            var config = await ConfigAsync(without);

            Assert.NotEqual(0, config.ExitCode);
            Assert.Contains($"set {secret} in compose/.env", config.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_file_holds_no_password_and_uses_each_required_variable_only_as_required()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Compose, "docker-compose.yml"));

        var assignments = PasswordAssignment().Matches(text).ToList();
        Assert.True(assignments.Count >= 8, text);
        Assert.All(assignments, a => Assert.Matches(@"^\$\{[A-Z_]+:\?", a.Groups["value"].Value));
        foreach (var secret in Secrets)
        {
            var uses = Regex.Matches(text, @"\$\{" + secret + @"(?<rest>[^}]*)\}").ToList();
            Assert.NotEmpty(uses);
            Assert.All(uses, u => Assert.StartsWith(":?", u.Groups["rest"].Value, StringComparison.Ordinal));
        }

        var generated = await File.ReadAllLinesAsync(await GeneratedEnvAsync());
        Assert.All(Secrets, secret => Assert.Matches("^[0-9a-f]{48}$", generated.Single(l => l.StartsWith(secret + "=", StringComparison.Ordinal))
            [(secret.Length + 1)..]));
    }

    [Fact]
    public async Task Only_Query_the_Api_its_OTLP_ports_and_Grafana_are_published_on_loopback_and_the_services_wait_for_the_migrations()
    {
        var config = await ConfigAsync(await GeneratedEnvAsync());

        Assert.True(config.ExitCode == 0, config.Output);
        var published = PublishedPort().Matches(config.Output).Select(m => (Ip: m.Groups["ip"].Value, Port: m.Groups["port"].Value)).ToList();
        Assert.Equal(["3000", "4317", "4318", "8080", "8081"], published.Select(p => p.Port).Order(StringComparer.Ordinal));
        Assert.All(published, p => Assert.Equal("127.0.0.1", p.Ip));
        Assert.Equal(3, Regex.Matches(config.Output, @"migrate:\s+condition: service_completed_successfully").Count);
        Assert.Contains("Username=logbus_migrator", config.Output, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(config.Output, "Username=logbus_writer;").Count);
        Assert.Single(Regex.Matches(config.Output, "Username=logbus_reader;"));
        Assert.Equal(3, Regex.Matches(config.Output, "ConnectionStrings__Redis: redis:6379,password=[0-9a-f]{48}").Count);

        var dockerfile = await File.ReadAllTextAsync(Path.Combine(Compose, "Dockerfile"));
        Assert.Contains("npm run build", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=web /web/dist/ src/Logbus.Query/web/dist/", dockerfile, StringComparison.Ordinal);
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

    /// <summary>What <c>./logbus compose-env</c> writes, into this run's folder instead of compose/.env.</summary>
    private static async Task<string> GeneratedEnvAsync()
    {
        var file = Path.Combine(RepositoryPaths.RunFolder, "compose-" + Guid.NewGuid().ToString("N")[..8] + ".env");
        var run = await LocalPrometheus.RunAsync("/usr/bin/env", $"LOGBUS_COMPOSE_ENV={file}", "bash", Path.Combine(RepositoryPaths.Root, "logbus"),
            "compose-env");
        Assert.True(run.ExitCode == 0, run.Output);
        return file;
    }

    private static Task<(int ExitCode, string Output)> ConfigAsync(string envFile) =>
        LocalPrometheus.RunAsync(Tool, "--project-directory", Compose, "--env-file", envFile, "-f", Path.Combine(Compose, "docker-compose.yml"),
            "config");

    // A password setting (key or connection-string part), not the name of a variable inside ${…}.
    [GeneratedRegex(@"(?i)(?<!\$\{\w*)password\w*\s*[:=]\s*(?<value>\S+)")]
    private static partial Regex PasswordAssignment();

    [GeneratedRegex(@"^\s+- (?<ip>[0-9.]+):(?<host>\d+):(?<port>\d+)/tcp$", RegexOptions.Multiline)]
    private static partial Regex PublishedPort();

    [GeneratedRegex(@"^\s+context: (/\S+)$", RegexOptions.Multiline)]
    private static partial Regex BuildContext();

    [GeneratedRegex(@"^\s+- (/[^:\s]+):/", RegexOptions.Multiline)]
    private static partial Regex BindMount();
}
