using System.Collections.Concurrent;
using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

/// <summary>MassTransit's own machinery on topic endpoints: the test harness and batch consumers.</summary>
[Trait("Kind", "Integration")]
public sealed class HarnessSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task The_test_harness_sees_what_a_topic_endpoint_consumed_and_what_was_produced_sent_and_published()
    {
        var broker = SharedServers.Kafka;
        var input = SpecNames.Unique("harness-in");
        var next = SpecNames.Unique("harness-out");
        broker.CreateTopic(input, 2);
        broker.CreateTopic(next, 1);
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<RelayConsumer>();
            r.AddProducer<ProducedMessage>(input, m => m.Tenant);
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(input, SpecNames.Unique("group"), e => e.ConfigureConsumer<RelayConsumer>(context));
            });
        }, harness: true, configureServices: s => s.AddSingleton(new TopicAddressContractSpecs.ForwardTarget(TopicAddress.For(next))));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ITopicProducer<ProducedMessage>>().Produce(new ProducedMessage("h-1", "t"));
        }

        var harness = host.Harness;
        Assert.True(await harness.Sent.Any<ProducedMessage>(), "the produced message was seen as sent");
        Assert.True(await harness.Consumed.Any<ProducedMessage>(x => x.Context.Message.Id == "h-1"), "the topic endpoint's consumption was seen");
        Assert.True(await harness.Published.Any<ProducedMessageSeen>(), "the consumer's publish was seen");
        Assert.True(await harness.Sent.Any<SentFromConsumer>(x => x.Context.DestinationAddress == TopicAddress.For(next)),
            "the consumer's topic send was seen");
        Assert.Single(RawRecords.ReadAll(broker.BootstrapServers, next, 1, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_batch_consumer_gets_batches_within_its_message_and_time_limits()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("batch");
        broker.CreateTopic(topic, 1);
        var batches = new ConcurrentQueue<long[]>();
        RawRecords.Produce(broker.BootstrapServers, topic, Enumerable.Range(0, 230).Select(i => (0, (string?)null, new SequencedMessage(0, i))));

        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<BatchConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<SequencedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.ConcurrentDeliveryLimit = 50;
                    e.ConfigureConsumer<BatchConsumer>(context, c =>
                        c.Options<BatchOptions>(o => o.SetMessageLimit(50).SetTimeLimit(TimeSpan.FromMilliseconds(500))));
                });
            });
        }, configureServices: s => s.AddSingleton(batches));

        await Eventually.TrueAsync(() => batches.Sum(b => b.Length) >= 230, TimeSpan.FromSeconds(30), "every record arrived in a batch");

        var received = batches.ToList();
        output.WriteLine("batch sizes: " + string.Join(", ", received.Select(b => b.Length)));
        Assert.Equal(230, received.Sum(b => b.Length));
        Assert.All(received, b => Assert.InRange(b.Length, 1, 50));
        Assert.Contains(received, b => b.Length == 50);
        // A batch holds the next records of its partition; MassTransit may hand them over in any order within the batch.
        var start = 0;
        foreach (var batch in received)
        {
            Assert.Equal(Enumerable.Range(start, batch.Length).Select(i => (long)i), batch.Order());
            start += batch.Length;
        }
    }

    [Fact]
    public async Task Fault_events_are_published_only_by_endpoints_that_ask_for_them()
    {
        var broker = SharedServers.Kafka;
        var publishing = SpecNames.Unique("faults-on");
        var quiet = SpecNames.Unique("faults-off");
        broker.CreateTopic(publishing, 1);
        broker.CreateTopic(quiet, 1);
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<FaultSpecs.FlakyConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<FlakyMessage>(publishing, SpecNames.Unique("group"), e =>
                {
                    e.PublishFaults = true;
                    e.ConfigureConsumer<FaultSpecs.FlakyConsumer>(context);
                });
                k.TopicEndpoint<FlakyMessage>(quiet, SpecNames.Unique("group"), e => e.ConfigureConsumer<FaultSpecs.FlakyConsumer>(context));
            });
        }, harness: true, configureServices: s => s.AddSingleton(new FaultSpecs.FlakyAttempts()));

        var faults = new PublishedFaults();
        host.Bus.ConnectPublishObserver(faults);
        await host.Rider.GetProducer<FlakyMessage>(publishing).Produce(new FlakyMessage("published", -1));
        await host.Rider.GetProducer<FlakyMessage>(quiet).Produce(new FlakyMessage("quiet", -1));

        Assert.Single(RawRecords.ReadAll(broker.BootstrapServers, publishing + ".dlq", 1, TimeSpan.FromSeconds(30)));
        Assert.Single(RawRecords.ReadAll(broker.BootstrapServers, quiet + ".dlq", 1, TimeSpan.FromSeconds(30)));
        Assert.True(await host.Harness.Published.Any<Fault<FlakyMessage>>(x => x.Context.Message.Message.Id == "published"),
            "the fault was published");
        Assert.Equal(["published"], faults.Ids);
    }

    public sealed class PublishedFaults : IPublishObserver
    {
        private readonly ConcurrentQueue<string> _ids = new();

        public IReadOnlyList<string> Ids => [.. _ids];

        public Task PrePublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class
        {
            if (context.Message is Fault<FlakyMessage> fault)
            {
                _ids.Enqueue(fault.Message.Id);
            }

            return Task.CompletedTask;
        }

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }

    public sealed class RelayConsumer(TopicAddressContractSpecs.ForwardTarget target) : IConsumer<ProducedMessage>
    {
        public async Task Consume(ConsumeContext<ProducedMessage> context)
        {
            await context.Publish(new ProducedMessageSeen(context.Message.Id));
            await context.Send(target.Address, new SentFromConsumer(context.Message.Id));
        }
    }

    public sealed class BatchConsumer(ConcurrentQueue<long[]> batches) : IConsumer<Batch<SequencedMessage>>
    {
        public Task Consume(ConsumeContext<Batch<SequencedMessage>> context)
        {
            batches.Enqueue([.. context.Message.Select(m => m.Message.Sequence)]);
            return Task.CompletedTask;
        }
    }
}
