using Confluent.Kafka;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Foundation;

[Trait("Kind", "Chaos")]
public sealed class DevBrokerSpecs
{
    [Fact]
    public void Carries_100k_messages_across_12_partitions_to_a_consumer_group_with_committed_offsets()
    {
        const int count = 100_000;
        const int partitions = 12;
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("devbroker");
        var group = SpecNames.Unique("group");
        broker.CreateTopic(topic, partitions);

        using (var producer = new ProducerBuilder<int, string>(new ProducerConfig
               {
                   BootstrapServers = broker.BootstrapServers,
                   EnableIdempotence = true,
                   Acks = Acks.All,
                   LingerMs = 5,
               }).Build())
        {
            var failures = new FailureCount();
            for (var i = 0; i < count; i++)
            {
                ProduceWithBackPressure(producer, topic, i, failures);
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, failures.Value);
        }

        var seen = new HashSet<int>();
        var perPartition = new int[partitions];
        var config = ConsumerConfigFor(broker, group);
        using (var consumer = new ConsumerBuilder<int, string>(config).Build())
        {
            consumer.Subscribe(topic);
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (seen.Count < count && DateTime.UtcNow < deadline)
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (record is null)
                {
                    continue;
                }

                seen.Add(record.Message.Key);
                perPartition[record.Partition.Value]++;
                consumer.StoreOffset(record);
            }

            consumer.Commit();
            consumer.Close();
        }

        Assert.Equal(count, seen.Count);
        Assert.All(perPartition, n => Assert.True(n > 0, "every partition carried messages"));

        // A fresh member of the same group sees the group's committed offsets at each partition's end.
        using var inspector = new ConsumerBuilder<int, string>(config).Build();
        var topicPartitions = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var committed = inspector.Committed(topicPartitions, TimeSpan.FromSeconds(10));
        var ends = topicPartitions.Select(tp => inspector.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value).ToList();
        Assert.Equal(ends, committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value).ToList());
        Assert.Equal(count, committed.Sum(c => c.Offset.Value));
    }

    [Fact]
    public async Task A_broker_taken_down_and_up_is_seen_by_a_client()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start(new KafkaDevBrokerOptions { BrokerCount = 1 }));
        const string topic = "outage";
        broker.CreateTopic(topic, 1);
        var clientErrors = new List<ErrorCode>();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers })
            .SetErrorHandler((_, e) => { lock (clientErrors) { clientErrors.Add(e.Code); } })
            .Build();
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            MessageTimeoutMs = 30_000,
        }).Build();

        Assert.Single(admin.GetMetadata(TimeSpan.FromSeconds(5)).Brokers);
        await producer.ProduceAsync(topic, new Message<Null, string> { Value = "before" });

        broker.SetAllBrokersDown();
        Assert.Throws<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(2)));
        await Eventually.TrueAsync(() => { lock (clientErrors) { return clientErrors.Contains(ErrorCode.Local_AllBrokersDown); } },
            TimeSpan.FromSeconds(20), "the client reports all brokers down");

        // A message produced during the outage is delivered once the broker is back.
        var during = producer.ProduceAsync(topic, new Message<Null, string> { Value = "during" });
        broker.SetAllBrokersUp();
        var delivered = await during.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        Assert.Single(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);
    }

    [Fact]
    public async Task Injected_request_errors_reach_the_client_until_cleared()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        broker.CreateTopic("faults", 1);
        var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers, MessageTimeoutMs = 10_000 };

        // Not retriable, so the producer gives up at once and reports it. The second pushed error stays unused.
        broker.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed, ErrorCode.TopicAuthorizationFailed);
        using (var refusedProducer = new ProducerBuilder<Null, string>(config).Build())
        {
            var refused = await Assert.ThrowsAsync<ProduceException<Null, string>>(
                () => refusedProducer.ProduceAsync("faults", new Message<Null, string> { Value = "refused" }));
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, refused.Error.Code);
        }

        broker.ClearRequestErrors(KafkaApiKey.Produce);

        using var producer = new ProducerBuilder<Null, string>(config).Build();
        var accepted = await producer.ProduceAsync("faults", new Message<Null, string> { Value = "accepted" });
        Assert.Equal(PersistenceStatus.Persisted, accepted.Status);
    }

    internal static ConsumerConfig ConsumerConfigFor(KafkaDevBroker broker, string group) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        SessionTimeoutMs = 6000,
    };

    private static void ProduceWithBackPressure(IProducer<int, string> producer, string topic, int key, FailureCount failures)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, new Message<int, string> { Key = key, Value = $"message {key}" },
                    report => { if (report.Error.IsError) { failures.Add(); } });
                return;
            }
            catch (ProduceException<int, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    private sealed class FailureCount
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Add() => Interlocked.Increment(ref _value);
    }
}
