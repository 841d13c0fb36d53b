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

    [Fact]
    public async Task A_few_small_records_behind_count_at_their_own_size_after_the_group_read_large_ones()
    {
        // The group reads 16 records of 256 kB, then falls behind on small ones. Priced at the average record size (which
        // the large ones hold up), a hundred and fifty 4 kB records looked like 4 MB behind, and delivery went to the outbox
        // every few seconds while the Worker was keeping up (the pipeline bench's fixed-rate p99 went from 0.1 to 1-3 s).
        await using var topic = await GuardedTopic.StartAsync(output, checkInterval: TimeSpan.FromMilliseconds(200));
        var endpoint = await topic.Rider.TopicSendEndpointProvider.GetSendEndpoint(TopicAddress.For(topic.Name));
        for (var i = 0; i < 16; i++)
        {
            await endpoint.Send(new PaddedMessage(i, new string('x', 256 * 1024)));
            if (i % 8 == 7)
            {
                await topic.GroupReadsUpToAsync(i + 1);
            }
        }

        var held = 0;
        for (var i = 0; i < 400; i++)
        {
            held += topic.Guard.IsHeld(topic.Name) ? 1 : 0;
            await endpoint.Send(new PaddedMessage(i, new string('x', 4 * 1024)));
        }

        await topic.NextLooksAsync(2);
        Assert.Equal(0, held);
        Assert.False(topic.Guard.IsHolding(topic.Name), "1.6 MB behind, a third of the partition, is not held");
    }

    [Fact]
    public async Task Records_of_the_producers_own_hold_the_topic_at_their_own_size_before_the_partition_fills()
    {
        await using var topic = await GuardedTopic.StartAsync(output, checkInterval: TimeSpan.FromMilliseconds(200));

        var sent = await topic.SendUntilHeldAsync(200, () => new string('x', 64 * 1024));

        // 80 % of 5 MiB is 64 records of 64 kB; the records' keys and headers make each a little larger.
        Assert.InRange(sent, 56, 65);
        await topic.AssertStillHeldWithNothingLostAsync();
    }

    [Fact]
    public async Task Large_records_behind_a_phase_of_small_ones_hold_at_their_own_size_before_the_partition_fills()
    {
        // The group read forty 4 kB records; 256 kB ones follow. At the average size (which the small ones hold down for a
        // while), the first dozen large records behind looked like half their bytes, and the hold came after the broker
        // had begun deleting what the group had not read.
        await using var topic = await GuardedTopic.StartAsync(output, checkInterval: TimeSpan.FromMilliseconds(200));
        await topic.SendAsync(40, () => new string('x', 4 * 1024));
        await topic.GroupReadsUpToAsync(40);
        var sent = await topic.SendUntilHeldAsync(40, () => new string('x', 256 * 1024));

        // 80 % of 5 MiB is 16 records of 256 kB; each is a little larger with its envelope, keys and headers.
        Assert.InRange(sent, 14, 16);
        Assert.InRange(topic.LogStart(), 0, 40);
    }

    [Fact]
    public async Task Records_the_producer_compresses_count_at_their_size_as_produced()
    {
        // Records of 256 kB that LZ4 halves (half random text, half one letter repeated), with librdkafka's statistics
        // reported every 200 ms: the guard cannot know a record's compressed size, so it counts each as produced and holds
        // at 80 % of the partition in those bytes, never later.
        await using var topic = await GuardedTopic.StartAsync(output, checkInterval: TimeSpan.FromMilliseconds(200), lz4: true);
        var random = new Random(7);
        string Padding()
        {
            var noise = new byte[96 * 1024];
            random.NextBytes(noise);
            return Convert.ToBase64String(noise) + new string('x', 128 * 1024);
        }

        // Some statistics between records: what they report must not make the records count smaller.
        var sent = await topic.SendUntilHeldAsync(60, Padding, pause: TimeSpan.FromMilliseconds(50));

        Assert.InRange(sent, 14, 16);
        await topic.AssertStillHeldWithNothingLostAsync();
    }

    [Fact]
    public async Task Records_another_producer_wrote_count_at_the_size_this_producer_learnt()
    {
        // Another Api (or this one before a restart) wrote what the group is behind on: this producer knows none of those
        // records, and prices them at the size of its own.
        await using var topic = await GuardedTopic.StartAsync(output, checkInterval: TimeSpan.FromMilliseconds(200));
        await topic.SendAsync(8, () => new string('x', 256 * 1024));
        await topic.GroupReadsUpToAsync(8);
        Assert.False(topic.Guard.IsHolding(topic.Name), "nothing is behind");

        // 17 records of about 256 kB: 4.4 MB behind, past 80 % of the partition.
        topic.ProduceElsewhere(17, 256 * 1024 + 200);
        await Eventually.TrueAsync(() => topic.Guard.IsHolding(topic.Name), TimeSpan.FromSeconds(10),
            "a look holds the topic for the other producer's records");
    }

    /// <summary>A private dev broker with a topic of one partition, a rider, and its retention guard watching a group that never reads.</summary>
    private sealed class GuardedTopic : IAsyncDisposable
    {
        private readonly RiderHost _host;

        private GuardedTopic(KafkaDevBroker broker, string name, string group, RiderHost host, KafkaRetentionGuard guard)
        {
            Broker = broker;
            Name = name;
            Group = group;
            _host = host;
            Guard = guard;
        }

        public KafkaDevBroker Broker { get; }

        public string Name { get; }

        /// <summary>The consumer group the guard watches; it reads nothing unless a spec says it did.</summary>
        public string Group { get; }

        public KafkaRetentionGuard Guard { get; }

        public IKafkaRider Rider => _host.Rider;

        public ProducedRecords Produced => _host.Services.GetRequiredService<KafkaRiderAccessor>().Rider!.Producers.Produced;

        /// <param name="prepare">What the broker does before the guard starts; the guard's first look is awaited only without it.</param>
        /// <param name="checkInterval">
        /// How often the guard looks; by default once, at start (a later look could release what a spec holds while nothing
        /// is behind in bytes yet), or every 200 ms with <paramref name="prepare"/>.
        /// </param>
        /// <param name="lz4">The rider's producer compresses with LZ4 (as the Api's does) and reports statistics every 200 ms.</param>
        public static async Task<GuardedTopic> StartAsync(ITestOutputHelper output, Action<KafkaDevBroker>? prepare = null,
            TimeSpan? startupHoldLimit = null, TimeSpan? checkInterval = null, bool lz4 = false)
        {
            var broker = SharedServers.Track(KafkaDevBroker.Start());
            var name = SpecNames.Unique("guarded");
            var group = SpecNames.Unique("away");
            broker.CreateTopic(name, 1);
            prepare?.Invoke(broker);
            var host = await RiderHost.StartAsync(output, r => r.UsingKafka((_, k) =>
                {
                    k.Host(broker.BootstrapServers);
                    if (lz4)
                    {
                        k.ConfigureProducers(p =>
                        {
                            p.Compression = CompressionType.Lz4;
                            p.Configure = c => c.StatisticsIntervalMs = 200;
                        });
                    }
                }),
                configureServices: s => s.AddKafkaRetentionGuard(o =>
                {
                    o.ConsumerGroups[name] = [group];
                    o.RetentionBytes = Retention;
                    o.CheckInterval = checkInterval ?? (prepare is null ? TimeSpan.FromMinutes(10) : TimeSpan.FromMilliseconds(200));
                    o.StartupHoldLimit = startupHoldLimit ?? o.StartupHoldLimit;
                }));
            var guard = host.Services.GetRequiredService<KafkaRetentionGuard>();
            await guard.StartAsync(CancellationToken.None);
            if (prepare is null)
            {
                await Eventually.TrueAsync(() => guard.HasLooked(name), TimeSpan.FromSeconds(30), "the guard looked at the topic");
            }

            return new GuardedTopic(broker, name, group, host, guard);
        }

        /// <summary>
        /// The watched group commits <paramref name="offset"/>, as if it had read every record before it, and the guard
        /// looks twice.
        /// </summary>
        public async Task GroupReadsUpToAsync(long offset)
        {
            using (var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
            {
                BootstrapServers = Broker.BootstrapServers,
                GroupId = Group,
                EnableAutoCommit = false,
            }).Build())
            {
                reader.Commit([new TopicPartitionOffset(Name, 0, offset)]);
            }

            await NextLooksAsync(2);
        }

        /// <summary>Sends <paramref name="count"/> records padded by <paramref name="padding"/>, one after another.</summary>
        public async Task SendAsync(int count, Func<string> padding)
        {
            var endpoint = await Rider.TopicSendEndpointProvider.GetSendEndpoint(TopicAddress.For(Name));
            for (var i = 0; i < count; i++)
            {
                await endpoint.Send(new PaddedMessage(i, padding()));
            }
        }

        /// <summary>
        /// Sends records padded by <paramref name="padding"/> one after another, each once the guard lets it through, until
        /// it holds the topic or <paramref name="most"/> went; returns how many went.
        /// </summary>
        public async Task<int> SendUntilHeldAsync(int most, Func<string> padding, TimeSpan? pause = null)
        {
            var endpoint = await Rider.TopicSendEndpointProvider.GetSendEndpoint(TopicAddress.For(Name));
            var sent = 0;
            while (sent < most && !Guard.IsHeld(Name))
            {
                await endpoint.Send(new PaddedMessage(sent++, padding()));
                if (pause is { } wait)
                {
                    await Task.Delay(wait);
                }
            }

            return sent;
        }

        /// <summary>The next looks find what the estimate found and keep holding, and the broker deleted nothing.</summary>
        public async Task AssertStillHeldWithNothingLostAsync()
        {
            await NextLooksAsync(2);
            Assert.True(Guard.IsHolding(Name), "a look finds the same and keeps holding");
            Assert.Equal(0, LogStart());
        }

        /// <summary>Waits until the guard has looked <paramref name="count"/> more times (the first may have begun before the call).</summary>
        public Task NextLooksAsync(int count)
        {
            var after = Guard.Looks + count;
            return Eventually.TrueAsync(() => Guard.Looks >= after, TimeSpan.FromSeconds(30), $"the guard looked {count} more times");
        }

        /// <summary>Another producer, which the guard's rider knows nothing of, writes <paramref name="count"/> records to the topic.</summary>
        public void ProduceElsewhere(int count, int bytes)
        {
            using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = Broker.BootstrapServers }).Build();
            for (var i = 0; i < count; i++)
            {
                producer.Produce(Name, new Message<Null, byte[]> { Value = new byte[bytes] });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
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
