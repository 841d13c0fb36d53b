extern alias worker;

using System.Net;
using System.Net.Http.Json;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Worker;

/// <summary>
/// Ingest to storage as it runs in production: the real Api (outbox delivery on) producing to a topic of the spec's own
/// on the dev broker, and the real Worker storing into the spec's database, in this process or as a process of its own.
/// </summary>
internal sealed class Pipeline : IAsyncDisposable
{
    private readonly ServiceFactory<worker::Program>? _hostedWorker;
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow.AddMinutes(-1);

    private Pipeline(ApiHost api, SpecDatabase db, KafkaDevBroker broker, Dictionary<string, string?> workerSettings,
        ServiceFactory<worker::Program>? hostedWorker, ServiceProcess? workerProcess)
    {
        Api = api;
        Database = db;
        Broker = broker;
        WorkerSettings = workerSettings;
        _hostedWorker = hostedWorker;
        WorkerProcess = workerProcess;
        WorkerClient = hostedWorker?.CreateClient() ?? new HttpClient { BaseAddress = workerProcess!.BaseAddress };
    }

    public ApiHost Api { get; }

    public SpecDatabase Database { get; }

    public KafkaDevBroker Broker { get; }

    public Dictionary<string, string?> WorkerSettings { get; }

    public ServiceProcess? WorkerProcess { get; }

    /// <summary>The Worker's own HTTP surface (dead letters, health).</summary>
    public HttpClient WorkerClient { get; }

    public string Topic => Api.Topic;

    /// <param name="worker">Settings of the Worker beside the pipeline's own (timeouts, say).</param>
    /// <param name="apiOnSocket">Serve the Api on a real port: the in-memory test server reads a request body whole before the app sees it.</param>
    /// <param name="apiSettings">Settings of the Api beside the pipeline's own.</param>
    public static async Task<Pipeline> StartAsync(SpecDatabase db, KafkaDevBroker? broker = null, bool workerAsProcess = false, int partitions = 12,
        IDictionary<string, string?>? worker = null, bool apiOnSocket = false, IDictionary<string, string?>? apiSettings = null)
    {
        broker ??= SharedServers.Kafka;
        var importsGroup = SpecNames.Unique("imports");
        var storingGroup = SpecNames.Unique("worker");
        // The Api's retention guard watches the groups of this pipeline's Worker.
        // The topics exist before the Api starts: its clients' first metadata request would create them with the broker's
        // default partition count.
        var topic = SpecNames.Unique("ingest");
        broker.CreateTopic(topic, partitions);
        // As the stack's broker has it: the imports topic exists before anyone subscribes to it or produces to it.
        broker.CreateTopic(topic + ".progress", 4);
        var apiAll = new Dictionary<string, string?>
        {
            ["Kafka:Topics:LogEvents"] = topic,
            ["Kafka:Topics:Imports"] = topic + ".progress",
            ["Kafka:RetentionGuard:LogEventsConsumerGroups"] = storingGroup,
            ["Kafka:RetentionGuard:ImportsConsumerGroups"] = importsGroup,
        };
        foreach (var (key, value) in apiSettings ?? new Dictionary<string, string?>())
        {
            apiAll[key] = value;
        }

        var api = ApiHost.Start(db, apiAll, deliver: true, kafka: broker.BootstrapServers, realPort: apiOnSocket ? FreePort.Next() : null);
        var settings = ServiceSettings.For(db, broker.BootstrapServers);
        settings["Kafka:Topics:LogEvents"] = api.Topic;
        settings["Kafka:Topics:Imports"] = api.Topic + ".progress";
        settings["Worker:Imports:ConsumerGroup"] = importsGroup;
        settings["Worker:Storing:ConsumerGroup"] = storingGroup;
        settings["Worker:Storing:SessionTimeout"] = "00:00:06";
        settings["Worker:Storing:RetryMaxInterval"] = "00:00:03";
        foreach (var (key, value) in worker ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        if (workerAsProcess)
        {
            var process = new ServiceProcess("Logbus.Worker", RepositoryPaths.Configuration, ServiceSettings.With(settings,
                ("ConnectionStrings:Logbus", db.WriterConnectionString), ("Storage:MigrateOnStartup", "false")));
            await process.StartAsync();
            return new Pipeline(api, db, broker, settings, null, process);
        }

        return new Pipeline(api, db, broker, settings, new ServiceFactory<worker::Program>(settings), null);
    }

    /// <summary>Sends events in batches, <paramref name="parallel"/> at a time, each event with a fixed id and timestamp.</summary>
    public async Task<List<string>> IngestAsync(int events, int batchSize = 1000, int parallel = 4, string prefix = "e")
    {
        // One base time per pipeline: the same id means the same event (same timestamp) in every call.
        var start = _start;
        var batches = Enumerable.Range(0, (events + batchSize - 1) / batchSize)
            .Select(b => Enumerable.Range(b * batchSize, Math.Min(batchSize, events - (b * batchSize)))
                .Select(i => new { id = $"{prefix}-{i:D7}", timestamp = start.AddMilliseconds(i), level = "INFO", message = $"event {i}",
                    source = "pipeline-spec", metadata = new { i } })
                .ToList())
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (batch, _) =>
        {
            var response = await Api.Client.PostAsJsonAsync("/api/logs/batch", batch);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        });
        return [.. batches.SelectMany(b => b).Select(e => e.id)];
    }

    /// <summary>Waits until the Worker's group has committed every partition of the topic to its end: all consumed.</summary>
    public Task WaitForConsumedAsync(TimeSpan timeout)
    {
        var positions = "nothing read yet";
        return Eventually.TrueAsync(() =>
        {
            using var consumer = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore,
                Confluent.Kafka.Ignore>(new Confluent.Kafka.ConsumerConfig
            {
                BootstrapServers = Broker.BootstrapServers,
                GroupId = WorkerSettings["Worker:Storing:ConsumerGroup"],
            }).Build();
            using var admin = new Confluent.Kafka.AdminClientBuilder(
                new Confluent.Kafka.AdminClientConfig { BootstrapServers = Broker.BootstrapServers }).Build();
            var partitions = admin.GetMetadata(Topic, TimeSpan.FromSeconds(5)).Topics.Single().Partitions
                .Select(p => new Confluent.Kafka.TopicPartition(Topic, p.PartitionId)).ToList();
            var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(5)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
            var ends = partitions.ToDictionary(p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High.Value);
            positions = "committed/end " + string.Join(", ", ends.Keys.Order().Select(p => $"[{p}] {committed[p]}/{ends[p]}"));
            // A partition nothing was produced to has no committed offset at all, and nothing to consume either.
            return Task.FromResult(partitions.All(p => ends[p.Partition.Value] == 0 || committed[p.Partition.Value] >= ends[p.Partition.Value]));
        }, timeout, "the Worker consumed the whole topic", () => positions);
    }

    public Task<long> StoredAsync() => Database.ScalarAsync<long>("SELECT count(*) FROM log_events");

    public Task WaitForStoredAsync(long count, TimeSpan timeout)
    {
        long? stored = null;
        return Eventually.TrueAsync(async () =>
        {
            try
            {
                stored = await StoredAsync();
                return stored >= count;
            }
            catch (Npgsql.NpgsqlException)
            {
                // A pooled connection from before a PostgreSQL restart; the next look gets a fresh one.
                return false;
            }
        }, timeout, $"{count} events are stored", () => stored is { } seen ? $"{seen} stored" : null);
    }

    /// <summary>Every row unique, and exactly the expected number of them.</summary>
    public async Task AssertExactlyAsync(long count)
    {
        Assert.Equal(count, await StoredAsync());
        Assert.Equal(count, await Database.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events"));
    }

    public async ValueTask DisposeAsync()
    {
        WorkerClient.Dispose();
        WorkerProcess?.Dispose();
        if (_hostedWorker is not null)
        {
            await _hostedWorker.DisposeAsync();
        }

        await Api.DisposeAsync();
    }
}
