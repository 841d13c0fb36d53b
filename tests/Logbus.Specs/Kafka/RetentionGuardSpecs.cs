using Confluent.Kafka;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Producing;
using Logbus.Messaging.Kafka.Retention;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

/// <summary>
/// The retention guard against a dev broker, which keeps the newest 5 MiB of a partition, with its consumer group away:
/// however many records are on their way at once, what it lets through must stay below that. An import once lost two
/// chunks to the broker's deletion when a whole outbox round went out before the producer had delivered its first record
/// to the topic: with no record size learnt yet, the guard counted each record on its way at nothing.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class RetentionGuardSpecs(ITestOutputHelper output)
{
    private const long Retention = KafkaRetentionGuardOptions.DevBrokerPartitionBytes;

    [Fact]
    public async Task Before_its_first_delivery_to_a_topic_a_record_let_through_counts_as_the_largest_the_producer_sends()
    {
        await using var topic = await GuardedTopic.StartAsync(output);

        // A delivery round of 20 outboxes asks for each of its records before any is handed to the producer.
        var letThrough = Enumerable.Range(0, 20).Count(_ => !topic.Guard.IsHeld(topic.Name));

        // At the producer's message.max.bytes (1,000,000) each, 5 fit below the hold at 80 % of 5 MiB.
        Assert.InRange(letThrough, 1, (int)(KafkaRetentionGuardOptions.DefaultHoldAtRatio * Retention / 1_000_000) + 1);
        Assert.True(topic.Guard.IsHolding(topic.Name), "the guard holds the topic until a look finds room");
    }

    [Fact]
    public async Task Records_the_broker_has_not_acknowledged_count_at_their_own_size_not_at_the_size_learnt_from_earlier_ones()
    {
        const int recordBytes = 500 * 1024;
        await using var topic = await GuardedTopic.StartAsync(output);
        var endpoint = await topic.Rider.TopicSendEndpointProvider.GetSendEndpoint(TopicAddress.For(topic.Name));
        // A small record first: the size the guard learns is a few hundred bytes.
        await endpoint.Send(new PaddedMessage(0, "small"));

        // A broker slow to answer keeps large records on their way while the next ones ask.
        topic.Broker.SetBrokerRoundTrip(1, TimeSpan.FromSeconds(2));
        var sends = new List<Task>();
        for (var i = 1; i <= 20 && !topic.Guard.IsHeld(topic.Name); i++)
        {
            sends.Add(endpoint.Send(new PaddedMessage(i, new string('x', recordBytes))));
            // As a send that is sent one after another would: the next asks once this one is the producer's.
            await Eventually.TrueAsync(() => topic.Produced.StartedRecords(topic.Name) > i, TimeSpan.FromSeconds(10),
                $"record {i} was handed to the producer");
        }

        topic.Broker.SetBrokerRoundTrip(1, TimeSpan.Zero);
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
        // 20 were asked for; what went fits in the partition (the estimate before this counted each at the small one's size).
        Assert.InRange(sends.Count, 1, (int)(Retention / recordBytes));
        Assert.True(topic.Guard.IsHolding(topic.Name), "the guard holds the topic until a look finds room");
        Assert.Equal(0, topic.LogStart());
    }

    [Fact]
    public async Task A_guard_that_cannot_read_the_lag_holds_a_topic_from_start_only_up_to_its_start_up_limit()
    {
        // Every request for the group's committed offsets fails (an Api without the right to read the Worker's group on a
        // real cluster): the guard never learns the lag. Delivery must not stop for good because of it.
        await using var topic = await GuardedTopic.StartAsync(output, broker => broker.PushRequestErrors(KafkaApiKey.OffsetFetch,
            [.. Enumerable.Repeat(ErrorCode.GroupAuthorizationFailed, 10_000)]), startupHoldLimit: TimeSpan.FromSeconds(2));

        Assert.True(topic.Guard.IsHolding(topic.Name), "before any look the topic is held");
        await Eventually.TrueAsync(() => !topic.Guard.IsHeld(topic.Name), TimeSpan.FromSeconds(30),
            "the start-up hold ends after its limit though no look succeeded");
        Assert.False(topic.Guard.HasLooked(topic.Name), "no look succeeded");
    }

    /// <summary>A private dev broker with a topic of one partition, a rider, and its retention guard watching a group that never reads.</summary>
    private sealed class GuardedTopic : IAsyncDisposable
    {
        private readonly RiderHost _host;

        private GuardedTopic(KafkaDevBroker broker, string name, RiderHost host, KafkaRetentionGuard guard)
        {
            Broker = broker;
            Name = name;
            _host = host;
            Guard = guard;
        }

        public KafkaDevBroker Broker { get; }

        public string Name { get; }

        public KafkaRetentionGuard Guard { get; }

        public IKafkaRider Rider => _host.Rider;

        public ProducedRecords Produced => _host.Services.GetRequiredService<KafkaRiderAccessor>().Rider!.Producers.Produced;

        /// <param name="prepare">What the broker does before the guard starts; the guard's first look is awaited only without it.</param>
        public static async Task<GuardedTopic> StartAsync(ITestOutputHelper output, Action<KafkaDevBroker>? prepare = null,
            TimeSpan? startupHoldLimit = null)
        {
            var broker = SharedServers.Track(KafkaDevBroker.Start());
            var name = SpecNames.Unique("guarded");
            broker.CreateTopic(name, 1);
            prepare?.Invoke(broker);
            var host = await RiderHost.StartAsync(output, r => r.UsingKafka((_, k) => k.Host(broker.BootstrapServers)),
                configureServices: s => s.AddKafkaRetentionGuard(o =>
                {
                    o.ConsumerGroups[name] = [SpecNames.Unique("away")];
                    o.RetentionBytes = Retention;
                    // One look, at start: a later one could release what a spec holds (nothing is behind in bytes yet).
                    o.CheckInterval = prepare is null ? TimeSpan.FromMinutes(10) : TimeSpan.FromMilliseconds(200);
                    o.StartupHoldLimit = startupHoldLimit ?? o.StartupHoldLimit;
                }));
            var guard = host.Services.GetRequiredService<KafkaRetentionGuard>();
            await guard.StartAsync(CancellationToken.None);
            if (prepare is null)
            {
                await Eventually.TrueAsync(() => guard.HasLooked(name), TimeSpan.FromSeconds(30), "the guard looked at the topic");
            }

            return new GuardedTopic(broker, name, host, guard);
        }

        /// <summary>The partition's first offset: above 0 once the broker deleted records for space.</summary>
        public long LogStart()
        {
            using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
            {
                BootstrapServers = Broker.BootstrapServers,
                GroupId = SpecNames.Unique("reader"),
            }).Build();
            return reader.QueryWatermarkOffsets(new TopicPartition(Name, 0), TimeSpan.FromSeconds(10)).Low.Value;
        }

        public async ValueTask DisposeAsync()
        {
            await Guard.StopAsync(CancellationToken.None);
            await _host.DisposeAsync();
            Broker.Dispose();
        }
    }
}
