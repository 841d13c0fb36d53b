extern alias api;

using System.Text.Json;
using Logbus.Contracts;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Logbus.Specs.Infrastructure;

/// <summary>
/// The real Api over a spec's database. By default its outbox delivery and direct produce are off, so a spec can read
/// exactly what each request committed from the outbox tables; with <c>deliver</c> it produces to a Kafka topic of the
/// spec's own, straight and through the outbox.
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ServiceFactory<api::Program> _factory;

    private readonly Func<HttpClient> _newClient;

    private ApiHost(ServiceFactory<api::Program> factory, Func<HttpClient> newClient, SpecDatabase db, string topic)
    {
        _factory = factory;
        _newClient = newClient;
        Client = newClient();
        Database = db;
        Topic = topic;
    }

    public HttpClient Client { get; }

    /// <summary>A client of its own with another timeout, for one long request (a large upload on a busy machine).</summary>
    public HttpClient CreateClient(TimeSpan timeout)
    {
        var client = _newClient();
        client.Timeout = timeout;
        return client;
    }

    public SpecDatabase Database { get; }

    public string Topic { get; }

    private bool OwnsDatabase { get; set; }

    /// <summary>An Api on a database of its own, dropped with the host: for specs that look at what one request left behind.</summary>
    public static async Task<ApiHost> StartOnOwnDatabaseAsync()
    {
        var db = await SpecDatabase.CreateAsync();
        var host = Start(db);
        host.OwnsDatabase = true;
        return host;
    }

    /// <param name="realPort">Listen on a real socket (for clients that bring their own HttpClient).</param>
    /// <param name="urls">
    /// Listen on these <c>Urls</c> and on every Kestrel endpoint the settings add (the OTLP ports), as the Api does when run
    /// as a process; the client talks to the first.
    /// </param>
    public static ApiHost Start(SpecDatabase db, IDictionary<string, string?>? settings = null, bool deliver = false, string? kafka = null,
        int? realPort = null, string? urls = null)
    {
        var topic = SpecNames.Unique("ingest");
        var all = ServiceSettings.For(db, kafka);
        all["Kafka:Topics:LogEvents"] = topic;
        all["Kafka:Topics:Imports"] = topic + ".progress";
        all["Messaging:BusOutbox:DeliveryServiceEnabled"] = deliver ? "true" : "false";
        // Without delivery a spec reads what each request committed from the outbox, so every chunk goes there; with it,
        // chunks are produced straight to Kafka as the Api does by default.
        all["Ingest:DirectProduce"] = deliver ? "true" : "false";
        // Specs send events with fixed dates; a century of retention keeps them within the timestamp policy whatever the day
        // (TimestampPolicySpecs set their own).
        all["Storage:Partitions:RetentionDays"] = "36500";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        if (urls is not null)
        {
            all["Urls"] = urls;
        }

        // A spec may name the topic itself, to create it before the Api's clients ask the broker about it.
        topic = all["Kafka:Topics:LogEvents"]!;

        var factory = new ServiceFactory<api::Program>(all);
        Func<HttpClient> newClient;
        if (urls is not null)
        {
            factory.UseKestrel();
            factory.StartServer();
            newClient = () => new HttpClient { BaseAddress = new Uri(urls.Split(';')[0]) };
        }
        else if (realPort is { } port)
        {
            factory.UseKestrel(port);
            factory.StartServer();
            newClient = () => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }
        else
        {
            newClient = () => factory.CreateClient();
        }

        return new ApiHost(factory, newClient, db, topic);
    }

    /// <summary>Every event of every chunk waiting in the outbox, in commit order.</summary>
    public async Task<List<AcceptedLogEvent>> OutboxEventsAsync() =>
        [.. (await OutboxChunksAsync()).SelectMany(c => c.Chunk.Events)];

    /// <summary>The chunks waiting in the outbox, each with the transaction (outbox id) that committed it.</summary>
    public async Task<List<(Guid OutboxId, LogEventsAccepted Chunk)>> OutboxChunksAsync()
    {
        var chunks = new List<(Guid, LogEventsAccepted)>();
        await using var command = Database.DataSource.CreateCommand(
            "SELECT outbox_id, body FROM messaging.outbox_message WHERE outbox_id IS NOT NULL ORDER BY sequence_number");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // MassTransit's envelope carries the message in "message"; a raw JSON body is the message itself.
            using var body = JsonDocument.Parse(reader.GetString(1));
            var message = body.RootElement.TryGetProperty("messageType", out _) ? body.RootElement.GetProperty("message") : body.RootElement;
            chunks.Add((reader.GetGuid(0), message.Deserialize<LogEventsAccepted>(Json)!));
        }

        return chunks;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        if (OwnsDatabase)
        {
            await Database.DisposeAsync();
        }
    }
}
