using System.Diagnostics;
using System.Text.Json;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Consuming;
using Logbus.Specs.Infrastructure;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

/// <summary>The contract other Logbus parts (the EF Core outbox above all) rely on when they send to Kafka through MassTransit.</summary>
[Trait("Kind", "Integration")]
public sealed class TopicAddressContractSpecs(ITestOutputHelper output)
{
    [Fact]
    public void A_topic_address_is_the_topic_scheme_followed_by_the_name()
    {
        var address = TopicAddress.For("log-events");

        Assert.Equal("topic:log-events", address.ToString());
        Assert.True(TopicAddress.TryParse(address, out var topic));
        Assert.Equal("log-events", topic);
        Assert.False(TopicAddress.TryParse(new Uri("queue:log-events"), out _));
        Assert.Throws<ArgumentException>(() => TopicAddress.For("a/b"));
    }

    [Fact]
    public async Task The_keyed_topic_send_endpoint_provider_produces_a_stored_outbox_message_as_stored_keyed_by_its_Kafka_Key_header()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("outboxed");
        broker.CreateTopic(topic, 3);
        var received = new Received<ProducedMessage>();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<RecordingConsumer<ProducedMessage>>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(topic, SpecNames.Unique("group"), e =>
                    e.ConfigureConsumer<RecordingConsumer<ProducedMessage>>(context));
            });
        }, configureServices: s => s.AddSingleton(received));

        var messageId = NewId.NextGuid();
        var conversationId = NewId.NextGuid();
        var stored = StoredOutboxMessage.Capture(new ProducedMessage("m-1", "tenant-a"), messageId, conversationId, TopicAddress.For(topic),
            new Dictionary<string, string> { [KafkaHeaders.Key] = "tenant-a", ["X-Custom"] = "kept" });

        // Exactly what an outbox delivery does: resolve the provider by scheme, re-send the stored message through MassTransit's pipe.
        var provider = host.Services.GetRequiredKeyedService<ISendEndpointProvider>(TopicAddress.Scheme);
        var endpoint = await provider.GetSendEndpoint(stored.DestinationAddress!);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(stored, stored.DestinationAddress));

        var record = Assert.Single(RawRecords.ReadAll(broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(20)));
        // The value is what the stored message's serializer writes: MassTransit's envelope around the stored message.
        using (var envelope = JsonDocument.Parse(record.Message.Value))
        {
            Assert.Equal(messageId.ToString("D"), envelope.RootElement.GetProperty("messageId").GetString());
            Assert.Equal("m-1", envelope.RootElement.GetProperty("message").GetProperty("id").GetString());
            Assert.Equal("tenant-a", envelope.RootElement.GetProperty("headers").GetProperty(KafkaHeaders.Key).GetString());
        }

        Assert.Equal("tenant-a", record.Message.Key);
        Assert.Equal("application/vnd.masstransit+json", RawRecords.Header(record, "Content-Type"));
        Assert.Equal(messageId.ToString("D"), RawRecords.Header(record, "MessageId"));
        Assert.Equal(conversationId.ToString("D"), RawRecords.Header(record, "ConversationId"));
        Assert.Equal("kept", RawRecords.Header(record, "X-Custom"));
        Assert.Equal("", RawRecords.Header(record, KafkaHeaders.Key));

        // The topic endpoint picks the envelope deserializer from Content-Type and sees the stored ids.
        await Eventually.TrueAsync(() => received.Count == 1, TimeSpan.FromSeconds(30), "the outboxed message was consumed");
        var consumed = received.Items[0];
        Assert.Equal("m-1", consumed.Message.Id);
        Assert.Equal(messageId, consumed.MessageId);
        Assert.Equal(conversationId, consumed.ConversationId);
        Assert.Equal("application/vnd.masstransit+json", consumed.ContentType);
    }

    [Fact]
    public async Task The_keyed_topic_send_endpoint_provider_can_be_resolved_and_used_before_the_bus_starts()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("early");
        broker.CreateTopic(topic, 1);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMassTransit(x =>
        {
            x.UsingInMemory();
            x.AddRider(r =>
            {
                r.AddProducer<ProducedMessage>(topic, m => m.Tenant);
                r.UsingKafka((_, k) => k.Host(broker.BootstrapServers));
            });
        });
        await using var provider = services.BuildServiceProvider();

        // An outbox delivery service may start before MassTransit's hosted service starts the bus.
        var topics = provider.GetRequiredKeyedService<ISendEndpointProvider>(TopicAddress.Scheme);
        var endpoint = await topics.GetSendEndpoint(TopicAddress.For(topic));
        await endpoint.Send(new ProducedMessage("early-1", "tenant-e"));

        var record = Assert.Single(RawRecords.ReadAll(broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(20)));
        Assert.Equal("tenant-e", record.Message.Key);
    }

    [Fact]
    public async Task A_consumer_on_a_topic_endpoint_sends_to_topic_addresses_through_the_rider()
    {
        var broker = SharedServers.Kafka;
        var input = SpecNames.Unique("input");
        var output1 = SpecNames.Unique("output");
        broker.CreateTopic(input, 2);
        broker.CreateTopic(output1, 2);
        var forwarded = new Received<SentFromConsumer>();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<ForwardingConsumer>();
            r.AddConsumer<RecordingConsumer<SentFromConsumer>>();
            r.AddProducer<ProducedMessage>(input);
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(input, SpecNames.Unique("group"), e => e.ConfigureConsumer<ForwardingConsumer>(context));
                k.TopicEndpoint<SentFromConsumer>(output1, SpecNames.Unique("group"), e =>
                    e.ConfigureConsumer<RecordingConsumer<SentFromConsumer>>(context));
            });
        }, configureServices: s => s.AddSingleton(forwarded).AddSingleton(new ForwardTarget(TopicAddress.For(output1))));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var producer = scope.ServiceProvider.GetRequiredService<ITopicProducer<ProducedMessage>>();
            await producer.Produce(new ProducedMessage("a", "t"));
            await producer.Produce(new ProducedMessage("b", "t"));
        }

        await Eventually.TrueAsync(() => forwarded.Count == 4, TimeSpan.FromSeconds(30), "both forwards of both messages arrived");
        Assert.Equal(["a", "a", "b", "b"], forwarded.Items.Select(i => i.Message.Id).Order());
        // Sends from a consume context carry its conversation on.
        Assert.All(forwarded.Items, i => Assert.NotNull(i.ConversationId));
        Assert.Equal(2, forwarded.Items.Select(i => i.ConversationId).Distinct().Count());
    }

    [Fact]
    public async Task A_record_without_a_MessageId_gets_a_deterministic_id_from_its_topic_partition_and_offset()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("foreign");
        broker.CreateTopic(topic, 2);
        RawRecords.Produce(broker.BootstrapServers, topic, [(0, null, new ProducedMessage("x", "t")), (1, null, new ProducedMessage("y", "t"))]);

        async Task<IReadOnlyList<ReceivedMessage<ProducedMessage>>> ConsumeWithNewGroup()
        {
            var received = new Received<ProducedMessage>();
            await using var host = await RiderHost.StartAsync(output, r =>
            {
                r.AddConsumer<RecordingConsumer<ProducedMessage>>();
                r.UsingKafka((context, k) =>
                {
                    k.Host(broker.BootstrapServers);
                    k.TopicEndpoint<ProducedMessage>(topic, SpecNames.Unique("group"), e =>
                        e.ConfigureConsumer<RecordingConsumer<ProducedMessage>>(context));
                });
            }, configureServices: s => s.AddSingleton(received));
            await Eventually.TrueAsync(() => received.Count == 2, TimeSpan.FromSeconds(30), "both foreign records were consumed");
            return received.Items;
        }

        var first = await ConsumeWithNewGroup();
        var second = await ConsumeWithNewGroup();

        foreach (var item in first)
        {
            Assert.Equal(DeterministicMessageId.For(topic, item.Record.Partition, item.Record.Offset), item.MessageId);
        }

        Assert.Equal(first.Select(i => i.MessageId).Order(), second.Select(i => i.MessageId).Order());
        Assert.NotEqual(first[0].MessageId, first[1].MessageId);
    }

    [Fact]
    public async Task A_registered_producer_writes_MassTransit_headers_trace_context_and_the_selected_key()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("produced");
        broker.CreateTopic(topic, 3);
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddProducer<ProducedMessage>(topic, m => m.Tenant);
            r.UsingKafka((_, k) => k.Host(broker.BootstrapServers));
        });

        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("Logbus.Specs");
        using var request = source.StartActivity("request");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var producer = scope.ServiceProvider.GetRequiredService<ITopicProducer<ProducedMessage>>();
            await producer.Produce(new ProducedMessage("p-1", "tenant-7"));
            await producer.Produce(new ProducedMessage("p-2", "tenant-8"),
                Pipe.Execute<SendContext<ProducedMessage>>(c => c.SetKafkaKey("explicit")));
        }

        var records = RawRecords.ReadAll(broker.BootstrapServers, topic, 2, TimeSpan.FromSeconds(20)).OrderBy(r => r.Message.Key).ToList();
        Assert.Equal(["explicit", "tenant-7"], records.Select(r => r.Message.Key));
        var record = records[1];
        Assert.True(Guid.TryParse(RawRecords.Header(record, "MessageId"), out _));
        Assert.True(Guid.TryParse(RawRecords.Header(record, "ConversationId"), out _));
        Assert.Equal("urn:message:Logbus.Specs.Kafka:ProducedMessage", RawRecords.Header(record, "MT-MessageType"));
        Assert.Equal("application/json", RawRecords.Header(record, "Content-Type"));
        var traceParent = RawRecords.Header(record, "traceparent");
        Assert.StartsWith($"00-{request!.TraceId}-", traceParent, StringComparison.Ordinal);
        var value = JsonSerializer.Deserialize<ProducedMessage>(record.Message.Value, RawRecords.Json);
        Assert.Equal(new ProducedMessage("p-1", "tenant-7"), value);
    }

    public sealed record ForwardTarget(Uri Address);

    public sealed class ForwardingConsumer(ForwardTarget target) : IConsumer<ProducedMessage>
    {
        public async Task Consume(ConsumeContext<ProducedMessage> context)
        {
            await context.Send(target.Address, new SentFromConsumer(context.Message.Id));
            var endpoint = await context.GetSendEndpoint(target.Address);
            await endpoint.Send(new SentFromConsumer(context.Message.Id));
        }
    }
}
