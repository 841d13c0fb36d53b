using Logbus.Specs.Infrastructure;
using Logbus.Specs.Observability;
using Logbus.Specs.Worker;

namespace Logbus.Specs.Ingest;

/// <summary>
/// Datalust's JavaScript client (npm <c>seq-logging</c>, in SeqLoggingClient/, installed by ./logbus test) with its
/// default settings: no API key, so it sends <c>X-Seq-ApiKey: null</c>. With no keys configured Logbus takes that as no
/// key, and every event reaches <c>log_events</c> through the Worker, which runs as <c>logbus_writer</c>.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class SeqLoggingClientSpecs
{
    private const int Events = 500;

    private static string Client => Path.Combine(RepositoryPaths.Root, "tests", "Logbus.Specs", "Ingest", "SeqLoggingClient");

    [Fact]
    public async Task A_Node_application_shipping_with_seq_logging_defaults_has_all_its_events_stored()
    {
        Assert.True(Directory.Exists(Path.Combine(Client, "node_modules", "seq-logging")),
            $"seq-logging is not installed in {Client}: ./logbus test installs it (npm ci there).");
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, workerAsProcess: true, partitions: 2, apiOnSocket: true);

        var shipped = await LocalPrometheus.RunAsync("node", Path.Combine(Client, "ship.mjs"), pipeline.Api.Client.BaseAddress!.ToString(),
            Events.ToString(System.Globalization.CultureInfo.InvariantCulture), "node-shop");

        Assert.True(shipped.ExitCode == 0, shipped.Output);
        await pipeline.WaitForStoredAsync(Events, TimeSpan.FromSeconds(60));
        Assert.Equal(Events, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE source = 'node-shop'"));
        Assert.Equal(Events, await db.ScalarAsync<long>(
            "SELECT count(DISTINCT metadata->>'OrderId') FROM log_events WHERE message ~ '^Order [0-9]+ shipped to \"?Lyon\"?$'"));
        Assert.Equal(Events / 10, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE level = 'WARN'"));
    }
}
