extern alias bench;

using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using bench::Logbus.Bench.Data;
using Logbus.Specs.Infrastructure;
using Logbus.Testing;

namespace Logbus.Specs.Query;

/// <summary>
/// A spec database with generated events and the Query service run as a process against it, for the export specs that
/// need settings of their own; <see cref="ExpectedIds"/> is every event in the export's default order (newest first).
/// </summary>
internal sealed class ExportStack : IAsyncDisposable
{
    private ExportStack(SpecDatabase db, ServiceProcess query, ConcurrentQueue<string> logs, List<GeneratedEvent> events, DateTimeOffset end)
    {
        Logs = logs;
        Database = db;
        Query = query;
        Events = events;
        End = end;
        Client = new HttpClient { BaseAddress = query.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    public SpecDatabase Database { get; }

    /// <summary>What the Query service wrote to standard output (its log), line by line.</summary>
    public ConcurrentQueue<string> Logs { get; }

    public ServiceProcess Query { get; }

    public List<GeneratedEvent> Events { get; }

    public DateTimeOffset End { get; }

    public HttpClient Client { get; }

    /// <summary>The export of every generated event (a window around them all).</summary>
    public string AllEvents => $"/api/query/export?from={Uri.EscapeDataString(End.AddDays(-2).ToString("O", CultureInfo.InvariantCulture))}"
        + $"&to={Uri.EscapeDataString(End.ToString("O", CultureInfo.InvariantCulture))}";

    public List<string> ExpectedIds => [.. Events.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal)
        .Select(e => e.Id)];

    public static async Task<ExportStack> StartAsync(int rows, params (string Key, string Value)[] settings)
    {
        var end = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-5);
        List<GeneratedEvent> events = [.. EventGenerator.Generate(rows, end, TimeSpan.FromDays(1))];
        var db = await SpecDatabase.CreateAsync();
        await QueryDataset.LoadAsync(db, events);
        await db.ExecuteAsync("ANALYZE log_events");
        var logs = new ConcurrentQueue<string>();
        var query = new ServiceProcess("Logbus.Query", RepositoryPaths.Configuration,
            ServiceSettings.With(ServiceSettings.For(db), [("Cache:KeyPrefix", db.Name + ":"), .. settings]))
        {
            StandardOutput = logs.Enqueue,
        };
        await query.StartAsync();
        return new ExportStack(db, query, logs, events, end);
    }

    /// <summary>
    /// A client whose sockets take in little before the application reads: an export it leaves unread stays open, the
    /// service waiting for the client, as with a slow download, instead of finishing into the operating system's buffers.
    /// </summary>
    public HttpClient SlowReader() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = Query.BaseAddress,
        Timeout = TimeSpan.FromMinutes(5),
    };

    public async Task<double> MetricAsync(string metric, params (string Label, string Value)[] labels) =>
        await PrometheusScrape.SumAsync(Client, metric, labels) ?? 0;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Query.DisposeAsync();
        await Database.DisposeAsync();
    }
}
