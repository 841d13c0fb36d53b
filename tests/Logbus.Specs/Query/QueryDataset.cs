extern alias bench;
extern alias query;

using System.Diagnostics;
using bench::Logbus.Bench.Data;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Query;

/// <summary>
/// One million generated events in a spec database, loaded once for every spec in the "query dataset" collection, and
/// the Query service running against it.
/// </summary>
public sealed class QueryDataset : IAsyncLifetime
{
    public const int Count = 1_000_000;

    private SpecDatabase? _db;
    private ServiceFactory<query::Program>? _service;

    /// <summary>All generated events are older than this (a few minutes ago), so windows ending here are closed.</summary>
    public DateTimeOffset End { get; } = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero)
        .AddMinutes(-5);

    public static TimeSpan Span => TimeSpan.FromDays(3);

    internal List<GeneratedEvent> Events { get; private set; } = [];

    internal SpecDatabase Database => _db ?? throw new InvalidOperationException("not loaded");

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Events = [.. EventGenerator.Generate(Count, End, Span)];
        _db = await SpecDatabase.CreateAsync();
        await LoadAsync(_db, Events);
        await _db.ExecuteAsync("ANALYZE log_events");
        Console.WriteLine($"Query dataset: {Count:N0} events generated and loaded in {clock.Elapsed.TotalSeconds:0.0} s");

        var settings = ServiceSettings.For(_db);
        settings["Cache:KeyPrefix"] = $"{_db.Name}:";
        // The specs on this dataset read as fast as they can, all from one address; the read rate limit has specs of its own.
        settings["Query:RateLimit:RequestsPerSecond"] = "0";
        _service = new ServiceFactory<query::Program>(settings);
        Client = _service.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    internal static async Task LoadAsync(SpecDatabase db, IEnumerable<GeneratedEvent> events)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await EventCopy.WriteAsync(connection, events);
    }
}

[CollectionDefinition("query dataset")]
public sealed class QueryDatasetCollection : ICollectionFixture<QueryDataset>;
