using Xunit.Abstractions;
using System.Collections.Concurrent;
using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Specs.Kafka;

[Trait("Kind", "Integration")]
public sealed class OrderingSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Twenty_thousand_records_over_twelve_partitions_are_consumed_in_order_within_each_partition()
    {
        const int partitions = 12;
        const int perPartition = 20_000 / partitions;
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("ordering");
        broker.CreateTopic(topic, partitions);
        RawRecords.Produce(broker.BootstrapServers, topic,
            from sequence in Enumerable.Range(0, perPartition)
            from partition in Enumerable.Range(0, partitions)
            select (partition, (string?)null, new SequencedMessage(partition, sequence)));

        var seen = new SequenceLog();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<SequenceConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<SequencedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.PrefetchPerPartition = 200;
                    e.ConfigureConsumer<SequenceConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(seen));

        await Eventually.TrueAsync(() => seen.Count >= partitions * perPartition, TimeSpan.FromSeconds(90), "every record was consumed");

        Assert.Equal(partitions * perPartition, seen.Count);
        Assert.Equal(0, seen.OrderViolations);
        Assert.Equal(0, seen.PartitionMismatches);
        Assert.All(Enumerable.Range(0, partitions), p => Assert.Equal(perPartition, seen.CountOf(p)));
    }

    public sealed class SequenceConsumer(SequenceLog log) : IConsumer<SequencedMessage>
    {
        public async Task Consume(ConsumeContext<SequencedMessage> context)
        {
            // An occasional real wait, so records running side by side would finish out of order and show up here.
            if (context.Message.Sequence % 10 == 0)
            {
                await Task.Delay(1);
            }

            log.Add(context.GetKafkaRecord()!.Partition, context.Message);
        }
    }
}

/// <summary>What a spec's consumer saw, per partition, with order checked as records arrive.</summary>
public sealed class SequenceLog
{
    private readonly ConcurrentDictionary<int, List<long>> _byPartition = new();
    private int _count;
    private int _violations;
    private int _mismatches;

    public int Count => Volatile.Read(ref _count);

    public int OrderViolations => Volatile.Read(ref _violations);

    public int PartitionMismatches => Volatile.Read(ref _mismatches);

    public int CountOf(int partition) => _byPartition.TryGetValue(partition, out var list) ? list.Count : 0;

    public void Add(int partition, SequencedMessage message)
    {
        if (partition != message.Partition)
        {
            Interlocked.Increment(ref _mismatches);
        }

        var list = _byPartition.GetOrAdd(partition, _ => []);
        lock (list)
        {
            if (list.Count > 0 && list[^1] >= message.Sequence)
            {
                Interlocked.Increment(ref _violations);
            }

            list.Add(message.Sequence);
        }

        Interlocked.Increment(ref _count);
    }
}
