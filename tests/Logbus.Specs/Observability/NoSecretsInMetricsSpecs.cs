using Logbus.Specs.Infrastructure;
using Logbus.Testing;

namespace Logbus.Specs.Observability;

/// <summary>
/// <c>/metrics</c> names each database pool by a name, never by its connection string: unnamed, a scrape publishes the
/// host list, database and user of every pool. The services run as processes, since a meter in the spec's own process
/// would also report the spec's connections.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class NoSecretsInMetricsSpecs
{
    private const string Password = "spec-password-7f3a9c";

    [Fact]
    public async Task Each_services_metrics_name_its_database_pools_and_hold_no_password_host_or_user()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // The specs' PostgreSQL trusts loopback, so the password is sent and ignored: only where it shows up matters.
        using var stack = await ServiceProcessStack.StartAsync(db, "no-secrets", 1,
            [("ConnectionStrings:Logbus", db.ConnectionString + $";Password={Password}")], []);

        foreach (var service in new[] { stack.Api, stack.Worker, stack.Query })
        {
            using var client = new HttpClient { BaseAddress = service.BaseAddress };
            await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(30),
                $"{service.Service} is ready, so its pool has opened connections");

            var metrics = await client.GetStringAsync("/metrics");

            Assert.Contains("pool_name=\"logbus\"", metrics, StringComparison.Ordinal);
            // The lines themselves, so a failure shows which series leaks.
            var leaking = metrics.Split('\n').Where(line => line.Contains(Password, StringComparison.Ordinal)
                || line.Contains("Host=", StringComparison.OrdinalIgnoreCase) || line.Contains("Username=", StringComparison.OrdinalIgnoreCase));
            Assert.Equal("", string.Join('\n', leaking));
        }
    }
}
