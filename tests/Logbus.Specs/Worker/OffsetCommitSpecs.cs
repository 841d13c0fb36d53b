using Confluent.Kafka;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Worker;

/// <summary>
/// The Api's retention guard sees the Worker's progress only through the offsets it commits, so how often it commits
/// (<c>Worker:Storing:CommitInterval</c>) decides how much stored work still counts as lag there.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class OffsetCommitSpecs
{
    [Fact]
    public async Task Stored_chunks_are_committed_at_the_configured_interval_and_not_before()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 2,
            worker: new Dictionary<string, string?> { ["Worker:Storing:CommitInterval"] = "00:01:00" });

        var ids = await pipeline.IngestAsync(400, batchSize: 100);
        await pipeline.WaitForStoredAsync(ids.Count, TimeSpan.FromSeconds(30));
        // The rider's own default is a second; two seconds after every row is stored, a commit at that pace would be there.
        await Task.Delay(TimeSpan.FromSeconds(2));

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = pipeline.Broker.BootstrapServers,
            GroupId = pipeline.WorkerSettings["Worker:Storing:ConsumerGroup"],
        }).Build();
        var committed = consumer.Committed([new TopicPartition(pipeline.Topic, 0), new TopicPartition(pipeline.Topic, 1)],
            TimeSpan.FromSeconds(5));
        Assert.All(committed, c => Assert.True(c.Offset.Value < 0, $"partition {c.Partition.Value} committed {c.Offset.Value} already"));
    }
}
