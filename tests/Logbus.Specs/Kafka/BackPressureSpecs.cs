using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

[Trait("Kind", "Integration")]
public sealed class BackPressureSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_slow_partition_neither_stalls_the_others_nor_gets_the_member_expelled()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("slow");
        broker.CreateTopic(topic, 2);
        var log = new SequenceLog();
        var gate = new SlowGate();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<GatedConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<SequencedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    // The slow record takes longer than the group allows between polls.
                    e.SessionTimeout = TimeSpan.FromSeconds(3);
                    e.MaxPollInterval = TimeSpan.FromSeconds(3);
                    e.PrefetchPerPartition = 20;
                    e.ConfigureConsumer<GatedConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(log).AddSingleton(gate));

        RawRecords.Produce(broker.BootstrapServers, topic,
            Enumerable.Range(0, 200).SelectMany(i =>
                new[] { (0, (string?)null, new SequencedMessage(0, i)), (1, (string?)null, new SequencedMessage(1, i)) }));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.TrueAsync(() => log.CountOf(1) == 200, TimeSpan.FromSeconds(30), "partition 1 was consumed while partition 0 is stuck");
        output.WriteLine($"partition 1 done after {clock.Elapsed}");
        Assert.Equal(0, log.CountOf(0));
        await Task.Delay(TimeSpan.FromSeconds(4));
        gate.Release();

        await Eventually.TrueAsync(() => log.CountOf(0) == 200, TimeSpan.FromSeconds(30), "partition 0 caught up once unblocked");
        output.WriteLine($"partition 0 done after {clock.Elapsed}");
        await Task.Delay(500);
        Assert.Equal(400, log.Count);
        Assert.Equal(0, log.OrderViolations);
        Assert.Equal(2, ((KafkaRider)host.Rider).Assignment.Count);
    }

    [Fact]
    public async Task A_partition_reads_ahead_no_more_bytes_than_its_limit_and_still_delivers_everything()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("ahead");
        broker.CreateTopic(topic, 1);
        var gate = new SlowGate();
        var consumed = new PaddedCount();
        const int limit = 300 * 1024;
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<GatedPaddedConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<PaddedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.PrefetchPerPartition = 1000;
                    e.PrefetchBytesPerPartition = limit;
                    e.ConfigureConsumer<GatedPaddedConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(gate).AddSingleton(consumed));

        // 40 records of about 100 kB: 4 MB, far more than the limit (and than the rider's 2 MiB default).
        var padding = new string('p', 100 * 1024);
        RawRecords.Produce(broker.BootstrapServers, topic, Enumerable.Range(0, 40).Select(i => (0, (string?)null, new PaddedMessage(i, padding))));
        var member = ((KafkaRider)host.Rider).Members.Single();
        await Eventually.TrueAsync(() => member.HeldBytes > 0, TimeSpan.FromSeconds(20), "the first record reached the lane");
        var mostHeld = 0L;
        for (var i = 0; i < 30; i++)
        {
            mostHeld = Math.Max(mostHeld, member.HeldBytes);
            await Task.Delay(100);
        }

        output.WriteLine($"most held while the consumer was blocked: {mostHeld:N0} bytes");
        // The lane pauses its partition once it holds the limit: at most one record beyond it.
        Assert.InRange(mostHeld, limit, limit + padding.Length + 1024);
        gate.Release();
        await Eventually.TrueAsync(() => consumed.Count == 40, TimeSpan.FromSeconds(30), "every record was consumed once released");
    }

    [Fact]
    public async Task Records_larger_than_the_byte_limit_still_fill_every_concurrent_delivery_of_a_partition()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("large");
        broker.CreateTopic(topic, 1);
        var gate = new SlowGate();
        var consumed = new PaddedCount();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<GatedPaddedConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<PaddedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.ConcurrentDeliveryLimit = 3;
                    e.PrefetchBytesPerPartition = 50 * 1024;
                    e.ConfigureConsumer<GatedPaddedConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(gate).AddSingleton(consumed));

        // Each record alone is twice the byte limit.
        var padding = new string('p', 100 * 1024);
        RawRecords.Produce(broker.BootstrapServers, topic, Enumerable.Range(0, 10).Select(i => (0, (string?)null, new PaddedMessage(i, padding))));

        // Paused after the first record, the lane would leave two slots idle until the consumer let go of it.
        await Eventually.TrueAsync(() => consumed.Started == 3, TimeSpan.FromSeconds(20), "three records delivered at once");
        gate.Release();
        await Eventually.TrueAsync(() => consumed.Count == 10, TimeSpan.FromSeconds(30), "every record was consumed once released");
    }

    public sealed class PaddedCount
    {
        private int _count;
        private int _started;

        public int Count => Volatile.Read(ref _count);

        public int Started => Volatile.Read(ref _started);

        public void Start() => Interlocked.Increment(ref _started);

        public void Add() => Interlocked.Increment(ref _count);
    }

    public sealed class GatedPaddedConsumer(SlowGate gate, PaddedCount consumed) : IConsumer<PaddedMessage>
    {
        public async Task Consume(ConsumeContext<PaddedMessage> context)
        {
            consumed.Start();
            await gate.Released;
            consumed.Add();
        }
    }

    public sealed class SlowGate
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Released => _released.Task;

        public void Release() => _released.TrySetResult();
    }

    public sealed class GatedConsumer(SequenceLog log, SlowGate gate) : IConsumer<SequencedMessage>
    {
        public async Task Consume(ConsumeContext<SequencedMessage> context)
        {
            if (context.Message.Partition == 0)
            {
                await gate.Released;
            }

            log.Add(context.GetKafkaRecord()!.Partition, context.Message);
        }
    }
}
