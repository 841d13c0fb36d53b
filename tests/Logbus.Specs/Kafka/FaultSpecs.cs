using System.Collections.Concurrent;
using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

[Trait("Kind", "Integration")]
public sealed class FaultSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_consumer_that_fails_twice_then_succeeds_under_UseMessageRetry_is_retried_and_not_lost()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("retry");
        var group = SpecNames.Unique("group");
        broker.CreateTopic(topic, 2);
        var attempts = new FlakyAttempts();
        await using var host = await StartAsync(topic, group, attempts, e => e.UseMessageRetry(r => r.Immediate(3)));

        await ProduceAsync(host, topic, Enumerable.Range(0, 10).Select(i => new FlakyMessage($"m{i}", FailTimes: 2)));

        await Eventually.TrueAsync(() => attempts.Succeeded.Count == 10, TimeSpan.FromSeconds(30), "every message succeeded");
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(3, attempts.Of($"m{i}")));
        await Eventually.TrueAsync(() => RawRecords.Committed(broker.BootstrapServers, topic, group, 2).Values.Where(o => o >= 0).Sum() == 10,
            TimeSpan.FromSeconds(20),
            "every offset was committed");
        Assert.Empty(RawRecords.ReadAll(broker.BootstrapServers, topic + ".dlq", 1, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_poison_record_lands_on_the_dead_letter_topic_with_its_headers_and_the_partition_moves_on()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("poison");
        var group = SpecNames.Unique("group");
        broker.CreateTopic(topic, 1);
        broker.CreateTopic(topic + ".dlq", 1);
        var attempts = new FlakyAttempts();
        await using var host = await StartAsync(topic, group, attempts, e => e.UseMessageRetry(r => r.Immediate(2)));

        await ProduceAsync(host, topic, [new FlakyMessage("ok-1", 0), new FlakyMessage("poison", -1), new FlakyMessage("ok-2", 0)]);
        RawRecords.Produce(broker.BootstrapServers, topic, [(0, "not-json", "{ this is not json")]);
        await ProduceAsync(host, topic, [new FlakyMessage("ok-3", 0)]);

        await Eventually.TrueAsync(() => attempts.Succeeded.Count == 3, TimeSpan.FromSeconds(30), "the records after the poison were consumed");
        Assert.Equal(["ok-1", "ok-2", "ok-3"], attempts.Succeeded);

        var dead = RawRecords.ReadAll(broker.BootstrapServers, topic + ".dlq", 2, TimeSpan.FromSeconds(20));
        Assert.Equal(2, dead.Count);
        var poison = dead.Single(r => r.Message.Key is null);
        Assert.Contains("\"poison\"", System.Text.Encoding.UTF8.GetString(poison.Message.Value), StringComparison.Ordinal);
        Assert.Equal(typeof(InvalidOperationException).FullName, RawRecords.Header(poison, "MT-Fault-ExceptionType"));
        Assert.Equal("poison fails on purpose", RawRecords.Header(poison, "MT-Fault-Message"));
        Assert.Contains(nameof(FlakyConsumer), RawRecords.Header(poison, "MT-Fault-StackTrace"), StringComparison.Ordinal);
        Assert.Equal("3", RawRecords.Header(poison, KafkaHeaders.FaultAttempts));
        Assert.Equal(topic, RawRecords.Header(poison, KafkaHeaders.OriginalTopic));
        Assert.Equal("0", RawRecords.Header(poison, KafkaHeaders.OriginalPartition));
        Assert.Equal("1", RawRecords.Header(poison, KafkaHeaders.OriginalOffset));
        Assert.Equal(group, RawRecords.Header(poison, KafkaHeaders.OriginalGroup));
        Assert.NotEmpty(RawRecords.Header(poison, "MessageId"));

        var malformed = dead.Single(r => r.Message.Key == "not-json");
        Assert.Equal("3", RawRecords.Header(malformed, KafkaHeaders.OriginalOffset));
        Assert.NotEmpty(RawRecords.Header(malformed, "MT-Fault-ExceptionType"));

        await Eventually.TrueAsync(() => RawRecords.Committed(broker.BootstrapServers, topic, group, 1)[0] == 5, TimeSpan.FromSeconds(20),
            "the partition committed past the dead-lettered records");
    }

    [Fact]
    public async Task A_record_that_no_consumer_takes_is_dead_lettered_not_skipped()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("unconsumed");
        var group = SpecNames.Unique("group");
        broker.CreateTopic(topic, 1);
        var attempts = new FlakyAttempts();
        await using var host = await StartAsync(topic, group, attempts, _ => { });

        // An envelope says what it is; nothing on this endpoint consumes SentFromConsumer.
        var stranger = host.Rider.GetProducer<SentFromConsumer>(topic);
        await stranger.Produce(new SentFromConsumer("stranger"),
            Pipe.Execute<SendContext<SentFromConsumer>>(c => c.Serializer = SystemTextJsonMessageSerializer.Instance));
        await ProduceAsync(host, topic, [new FlakyMessage("after", 0)]);

        await Eventually.TrueAsync(() => attempts.Succeeded.Count == 1, TimeSpan.FromSeconds(30), "the next record was consumed");
        var dead = Assert.Single(RawRecords.ReadAll(broker.BootstrapServers, topic + ".dlq", 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(typeof(MessageNotConsumedException).FullName, RawRecords.Header(dead, "MT-Fault-ExceptionType"));
    }

    [Fact]
    public async Task With_redelivery_a_failing_record_is_redelivered_with_back_off_until_it_succeeds_and_its_partition_waits()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("redeliver");
        var group = SpecNames.Unique("group");
        broker.CreateTopic(topic, 1);
        var attempts = new FlakyAttempts();
        await using var host = await StartAsync(topic, group, attempts, e =>
            e.RedeliverOnFault(r => r.InitialDelay = TimeSpan.FromMilliseconds(100)));

        await ProduceAsync(host, topic, [new FlakyMessage("first", 0), new FlakyMessage("stubborn", 3), new FlakyMessage("last", 0)]);

        await Eventually.TrueAsync(() => attempts.Succeeded.Count == 3, TimeSpan.FromSeconds(30), "all three records succeeded");
        Assert.Equal(["first", "stubborn", "last"], attempts.Succeeded);
        Assert.Equal(4, attempts.Of("stubborn"));
        Assert.Empty(RawRecords.ReadAll(broker.BootstrapServers, topic + ".dlq", 1, TimeSpan.FromSeconds(1)));
    }

    private Task<RiderHost> StartAsync(string topic, string group, FlakyAttempts attempts,
        Action<Messaging.Kafka.Configuration.IKafkaTopicReceiveEndpointConfigurator> configure) =>
        RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<FlakyConsumer>();
            r.AddProducer<FlakyMessage>(topic);
            r.UsingKafka((context, k) =>
            {
                k.Host(SharedServers.Kafka.BootstrapServers);
                k.TopicEndpoint<FlakyMessage>(topic, group, e =>
                {
                    configure(e);
                    e.ConfigureConsumer<FlakyConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(attempts));

    private static async Task ProduceAsync(RiderHost host, string topic, IEnumerable<FlakyMessage> messages)
    {
        var producer = host.Rider.GetProducer<FlakyMessage>(topic);
        foreach (var message in messages)
        {
            await producer.Produce(message);
        }
    }

    public sealed class FlakyAttempts
    {
        private readonly ConcurrentDictionary<string, int> _attempts = new();
        private readonly ConcurrentQueue<string> _succeeded = new();

        public IReadOnlyList<string> Succeeded => [.. _succeeded];

        public int Of(string id) => _attempts.GetValueOrDefault(id);

        public int Attempt(string id) => _attempts.AddOrUpdate(id, 1, (_, n) => n + 1);

        public void Succeed(string id) => _succeeded.Enqueue(id);
    }

    public sealed class FlakyConsumer(FlakyAttempts attempts) : IConsumer<FlakyMessage>
    {
        public Task Consume(ConsumeContext<FlakyMessage> context)
        {
            var attempt = attempts.Attempt(context.Message.Id);
            if (context.Message.FailTimes < 0 || attempt <= context.Message.FailTimes)
            {
                throw new InvalidOperationException($"{context.Message.Id} fails on purpose");
            }

            attempts.Succeed(context.Message.Id);
            return Task.CompletedTask;
        }
    }
}
