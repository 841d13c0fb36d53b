namespace Logbus.Specs.Infrastructure;

/// <summary>
/// The three services as processes, as <c>./logbus up</c> runs them (Api and Worker as <c>logbus_writer</c>, Query as
/// <c>logbus_reader</c>, none migrating), on a spec's database and on topics and consumer groups of their own on the
/// shared dev broker.
/// </summary>
internal sealed class ServiceProcessStack : IDisposable
{
    private ServiceProcessStack(string topic, ServiceProcess api, ServiceProcess worker, ServiceProcess query)
    {
        Topic = topic;
        Api = api;
        Worker = worker;
        Query = query;
    }

    /// <summary>The ingest topic; imports go to <c>{Topic}.progress</c>.</summary>
    public string Topic { get; }

    public ServiceProcess Api { get; }

    public ServiceProcess Worker { get; }

    public ServiceProcess Query { get; }

    /// <param name="worker">Settings of the Worker beside the stack's own (a shorter watchdog interval, say).</param>
    public static Task<ServiceProcessStack> StartAsync(SpecDatabase db, string name, int partitions, params (string Key, string Value)[] worker) =>
        StartAsync(db, name, partitions, [], worker);

    /// <param name="everyService">Settings (or environment variables) given to all three services.</param>
    public static async Task<ServiceProcessStack> StartAsync(
        SpecDatabase db, string name, int partitions, (string Key, string Value)[] everyService, (string Key, string Value)[] worker)
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique(name);
        broker.CreateTopic(topic, partitions);
        broker.CreateTopic(topic + ".progress", 2);
        var common = ServiceSettings.With(ServiceSettings.For(db, broker.BootstrapServers),
            ("Kafka:Topics:LogEvents", topic), ("Kafka:Topics:Imports", topic + ".progress"), ("Storage:MigrateOnStartup", "false"));
        // Each service with the database role a deployment gives it; the spec's own settings come last and may override it.
        var writer = ServiceSettings.With(common, [("ConnectionStrings:Logbus", db.WriterConnectionString), .. everyService]);
        var reader = ServiceSettings.With(common, [("ConnectionStrings:Logbus", db.ReaderConnectionString), .. everyService]);
        var (storingGroup, importsGroup) = (SpecNames.Unique("worker"), SpecNames.Unique("imports"));
        // The Api's retention guard watches this Worker's groups: a group that never consumed the topic would count all of
        // it as lag, and delivery would hold for good once a partition filled half its retention.
        var api = ServiceSettings.With(writer, [("Kafka:RetentionGuard:LogEventsConsumerGroups", storingGroup),
            ("Kafka:RetentionGuard:ImportsConsumerGroups", importsGroup), .. everyService]);
        var stack = new ServiceProcessStack(
            topic,
            new ServiceProcess("Logbus.Api", RepositoryPaths.Configuration, api),
            new ServiceProcess("Logbus.Worker", RepositoryPaths.Configuration, ServiceSettings.With(writer,
                [("Worker:Storing:ConsumerGroup", storingGroup), ("Worker:Storing:SessionTimeout", "00:00:06"),
                    ("Worker:Imports:ConsumerGroup", importsGroup), .. worker])),
            new ServiceProcess("Logbus.Query", RepositoryPaths.Configuration, ServiceSettings.With(reader, ("Cache:KeyPrefix", topic + ":"))));
        try
        {
            await Task.WhenAll(stack.Api.StartAsync(), stack.Worker.StartAsync(), stack.Query.StartAsync());
            return stack;
        }
        catch
        {
            stack.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Api.Dispose();
        Worker.Dispose();
        Query.Dispose();
    }
}
