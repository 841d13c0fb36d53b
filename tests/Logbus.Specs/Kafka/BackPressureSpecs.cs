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
