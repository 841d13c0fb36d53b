using System.Collections.Concurrent;
using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

public sealed record KeyedMessage(string Key, int Sequence);

[Trait("Kind", "Integration")]
public sealed class ConcurrencySpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task With_key_concurrency_records_of_one_key_stay_in_order_while_keys_run_side_by_side_and_every_offset_is_committed()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("keyed");
        var group = SpecNames.Unique("group");
        broker.CreateTopic(topic, 1);
        var keys = Enumerable.Range(0, 8).Select(k => $"key-{k}").ToArray();
        RawRecords.Produce(broker.BootstrapServers, topic,
            from sequence in Enumerable.Range(0, 50)
            from key in keys
            select (0, (string?)key, new KeyedMessage(key, sequence)));
        var log = new KeyLog();

        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<KeyedConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<KeyedMessage>(topic, group, e =>
                {
                    e.KeyConcurrency = 4;
                    e.ConfigureConsumer<KeyedConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(log));

        await Eventually.TrueAsync(() => log.Count == 400, TimeSpan.FromSeconds(30), "every record was consumed");
        Assert.Equal(0, log.OrderViolations);
        Assert.True(log.MaxConcurrent > 1, "keys ran side by side");
        await Eventually.TrueAsync(() => RawRecords.Committed(broker.BootstrapServers, topic, group, 1)[0] == 400, TimeSpan.FromSeconds(20),
            "the partition committed to its end");
    }

    [Fact]
    public async Task An_endpoint_with_two_group_members_in_one_process_splits_the_partitions_between_them()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("members");
        broker.CreateTopic(topic, 4);
        var log = new SequenceLog();
        RawRecords.Produce(broker.BootstrapServers, topic,
            from sequence in Enumerable.Range(0, 100)
            from partition in Enumerable.Range(0, 4)
            select (partition, (string?)null, new SequencedMessage(partition, sequence)));

        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<OrderingSpecs.SequenceConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<SequencedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.ConsumerCount = 2;
                    // Now and then the dev broker never hands one of two members joining at the same instant its
                    // assignment; a short session lets the group notice and rebalance instead of waiting 45 s.
                    e.SessionTimeout = TimeSpan.FromSeconds(6);
                    e.ConfigureConsumer<OrderingSpecs.SequenceConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(log));

        await Eventually.TrueAsync(() => log.Count == 400, TimeSpan.FromSeconds(30), "every record was consumed");
        var rider = (KafkaRider)host.Rider;
        await Eventually.TrueAsync(() => rider.Members.Count(m => m.Assignment.Count > 0) == 2, TimeSpan.FromSeconds(20),
            "both members own partitions");
        Assert.Equal(4, rider.Assignment.Distinct().Count());
        Assert.Equal(4, rider.Assignment.Count);
        Assert.Equal(0, log.OrderViolations);
    }

    public sealed class KeyLog
    {
        private readonly ConcurrentDictionary<string, int> _last = new();
        private int _count;
        private int _violations;
        private int _running;
        private int _maxConcurrent;

        public int Count => Volatile.Read(ref _count);

        public int OrderViolations => Volatile.Read(ref _violations);

        public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

        public async Task RunAsync(KeyedMessage message)
        {
            var running = Interlocked.Increment(ref _running);
            int max;
            while (running > (max = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, running, max) != max)
            {
            }

            await Task.Delay(Random.Shared.Next(0, 3));
            var previous = _last.GetValueOrDefault(message.Key, -1);
            if (message.Sequence != previous + 1)
            {
                Interlocked.Increment(ref _violations);
            }

            _last[message.Key] = message.Sequence;
            Interlocked.Decrement(ref _running);
            Interlocked.Increment(ref _count);
        }
    }

    public sealed class KeyedConsumer(KeyLog log) : IConsumer<KeyedMessage>
    {
        public Task Consume(ConsumeContext<KeyedMessage> context) => log.RunAsync(context.Message);
    }
}
