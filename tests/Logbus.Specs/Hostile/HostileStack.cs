using System.Net;
using System.Net.Http.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Hostile;

/// <summary>
/// The Api, Worker and Query as processes (as <c>./logbus up</c> runs them), started once for every hostile-input spec:
/// what a hostile request may cost is measured on the real processes, in rows, readiness and resident memory.
/// </summary>
public sealed class HostileStack : IAsyncLifetime
{
    /// <summary>Source of the good events that show the pipeline caught up; never counted as a hostile request's rows.</summary>
    public const string SentinelSource = "hostile-sentinel";

    private SpecDatabase? _db;
    private ServiceProcessStack? _stack;
    private readonly Dictionary<HostileService, HttpClient> _clients = [];

    internal SpecDatabase Database => _db ?? throw new InvalidOperationException("not started");

    internal ServiceProcessStack Stack => _stack ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _db = await SpecDatabase.CreateAsync();
        // One partition, so the sentinel sent after a request is stored after anything that request produced. The heap
        // limit keeps a service that does blow up from taking the shared machine with it (it would fail the spec anyway).
        _stack = await ServiceProcessStack.StartAsync(_db, "hostile", 1, [("DOTNET_GCHeapHardLimit", "80000000")], []);
        foreach (var service in Enum.GetValues<HostileService>())
        {
            _clients[service] = new HttpClient { BaseAddress = Process(service).BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        }

        // The whole pipeline once, so the first case does not pay for JIT, connection pools and the consumer's start.
        await SentinelAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _stack?.Dispose();
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    public HttpClient Client(HostileService service) => _clients[service];

    internal Logbus.Testing.ServiceProcess Process(HostileService service) => service switch
    {
        HostileService.Api => Stack.Api,
        HostileService.Worker => Stack.Worker,
        _ => Stack.Query,
    };

    /// <summary>Every service answers <c>/health/ready</c> with 200; the failure names those that do not.</summary>
    public async Task AssertAllReadyAsync(string after)
    {
        var notReady = new List<string>();
        foreach (var (service, client) in _clients)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    notReady.Add($"{service}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
            catch (HttpRequestException e)
            {
                notReady.Add($"{service}: {e.Message}");
            }
        }

        Assert.True(notReady.Count == 0, $"after {after}, not ready: {string.Join("; ", notReady)}");
    }

    /// <summary>
    /// Rows of every table in the database (partitions counted through their parent), without the sentinels and the
    /// bookkeeping a sentinel's delivery leaves (inbox, outbox state).
    /// </summary>
    public async Task<SortedDictionary<string, long>> RowCountsAsync()
    {
        var tables = new List<string>();
        await using (var list = Database.DataSource.CreateCommand("""
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
              AND c.relname NOT IN ('inbox_state', 'outbox_state', '__EFMigrationsHistory')
            """))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new SortedDictionary<string, long>();
        foreach (var table in tables)
        {
            var sql = table == "public.log_events"
                ? $"SELECT count(*) FROM log_events WHERE source <> '{SentinelSource}'"
                : $"SELECT count(*) FROM {table}";
            counts[table] = await Database.ScalarAsync<long>(sql);
        }

        return counts;
    }

    public Task<long> StoredEventsAsync() =>
        Database.ScalarAsync<long>($"SELECT count(*) FROM log_events WHERE source <> '{SentinelSource}'");

    /// <summary>
    /// Sends one good event and waits until it is stored and the outbox is empty: whatever an earlier request put on its
    /// way to PostgreSQL has arrived by then (one partition, delivered in order).
    /// </summary>
    public async Task SentinelAsync()
    {
        var id = "sentinel-" + Guid.NewGuid().ToString("N");
        using var response = await Client(HostileService.Api).PostAsJsonAsync("/api/logs",
            new { id, message = "the pipeline caught up", source = SentinelSource });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.TrueAsync(
            async () => await Database.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id = @id", ("id", id)) == 1
                && await Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message") == 0,
            TimeSpan.FromSeconds(60), $"the sentinel {id} is stored and the outbox is empty");
    }
}

[CollectionDefinition("hostile stack")]
public sealed class HostileStackCollection : ICollectionFixture<HostileStack>;
