using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Worker;

/// <summary>
/// A dev broker that is killed and started again on the same port has lost its log: what the Api delivered to it and
/// the Worker had not stored yet is produced again (the Api's retention guard keeps delivered records for a replay
/// window), and the Worker's inbox and the (id, timestamp) key keep the result exactly once.
/// </summary>
[Trait("Kind", "Chaos")]
public sealed class BrokerRestartSpecs
{
    private const int Partitions = 4;

    [Fact]
    public async Task Events_accepted_before_during_and_after_a_broker_restart_are_all_stored_exactly_once()
    {
        var port = FreePort.Next();
        var broker = KafkaDevBroker.Start(new KafkaDevBrokerOptions { Port = port });
        await using var db = await SpecDatabase.CreateAsync();
        // A slow Worker: most of what was delivered before the restart is not stored when the broker goes.
        await using var pipeline = await Pipeline.StartAsync(db, broker, partitions: Partitions,
            worker: new Dictionary<string, string?> { ["Worker:Storing:ThrottlePerChunk"] = "00:00:01" });
        try
        {
            var before = await pipeline.IngestAsync(2_000, batchSize: 100, prefix: "before");
            await Eventually.TrueAsync(async () => await DeliveredAsync(pipeline) == 0, TimeSpan.FromSeconds(30),
                "the outbox delivered everything accepted before the restart");
            Assert.True(await pipeline.StoredAsync() < before.Count, "the Worker had not stored everything when the broker went");

            broker.Dispose();
            var during = await pipeline.IngestAsync(1_000, batchSize: 100, prefix: "during");
            broker = KafkaDevBroker.Start(new KafkaDevBrokerOptions { Port = port });
            broker.CreateTopic(pipeline.Topic, Partitions);
            broker.CreateTopic(pipeline.Topic + ".progress", 4);
            var after = await pipeline.IngestAsync(1_000, batchSize: 100, prefix: "after");

            var total = before.Count + during.Count + after.Count;
            await pipeline.WaitForStoredAsync(total, TimeSpan.FromSeconds(90));
            await Task.Delay(TimeSpan.FromSeconds(3));
            await pipeline.AssertExactlyAsync(total);
        }
        finally
        {
            broker.Dispose();
        }
    }

    private static Task<long> DeliveredAsync(Pipeline pipeline) =>
        pipeline.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message");
}
