using Logbus.Messaging.Kafka.Testing;

namespace Logbus.Specs.Infrastructure;

/// <summary>
/// One private PostgreSQL, Redis and dev Kafka broker per test run, started on first use and stopped when the test
/// process exits. Specs share them through their own databases, topics and consumer groups; a spec that takes a
/// server down starts a private one instead.
/// </summary>
internal static class SharedServers
{
    private static readonly Lazy<LocalPostgres> LazyPostgres = new(() => Track(LocalPostgres.Create("postgres")));
    private static readonly Lazy<LocalRedis> LazyRedis = new(() => Track(LocalRedis.Create("redis")));
    private static readonly Lazy<KafkaDevBroker> LazyKafka = new(() => Track(KafkaDevBroker.Start(new KafkaDevBrokerOptions { BrokerCount = 1 })));
    private static readonly List<IDisposable> Started = [];

    static SharedServers() => AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();

    public static LocalPostgres Postgres => LazyPostgres.Value;

    public static LocalRedis Redis => LazyRedis.Value;

    public static KafkaDevBroker Kafka => LazyKafka.Value;

    /// <summary>Registers a server that must be stopped when the test process exits, even if its spec forgot.</summary>
    public static T Track<T>(T server)
        where T : IDisposable
    {
        lock (Started)
        {
            Started.Add(server);
        }

        return server;
    }

    private static void StopAll()
    {
        lock (Started)
        {
            foreach (var server in Enumerable.Reverse(Started))
            {
                try
                {
                    server.Dispose();
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
                {
                    Console.Error.WriteLine($"Stopping {server.GetType().Name} failed: {e.Message}");
                }
            }

            Started.Clear();
        }
    }
}
