using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

[Trait("Kind", "Integration")]
public sealed class TopologySpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task An_endpoint_that_creates_missing_topics_starts_on_a_broker_that_cannot_create_them_and_consumes_once_they_exist()
    {
        using var broker = SharedServers.Track(Messaging.Kafka.Testing.KafkaDevBroker.Start());
        var topic = SpecNames.Unique("created");
        var received = new Received<ProducedMessage>();
        var logs = new LogCapture();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<RecordingConsumer<ProducedMessage>>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.CreateIfMissing(t => t.Partitions = 3);
                    // A consumer looks for a topic it waits on only when it refreshes metadata; make that quick.
                    e.ConfigureClient(c => c.TopicMetadataRefreshIntervalMs = 1000);
                    e.ConfigureConsumer<RecordingConsumer<ProducedMessage>>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(received).AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        Assert.Contains(logs.Lines, l => l.Contains("could not create", StringComparison.Ordinal));

        // The dev broker cannot create topics over the protocol (no controller); it creates them through its own API.
        broker.CreateTopic(topic, 3);
        await host.Rider.GetProducer<ProducedMessage>(topic).Produce(new ProducedMessage("c-1", "t"));

        await Eventually.TrueAsync(() => received.Count == 1, TimeSpan.FromSeconds(30), "the record on the created topic was consumed");
    }

    [Fact]
    public async Task An_endpoint_that_creates_missing_topics_leaves_existing_topics_alone()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("existing");
        broker.CreateTopic(topic, 2);
        broker.CreateTopic(topic + ".dlq", 1);
        var received = new Received<ProducedMessage>();
        var logs = new LogCapture();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<RecordingConsumer<ProducedMessage>>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.CreateIfMissing(t => t.Partitions = 3);
                    e.ConfigureConsumer<RecordingConsumer<ProducedMessage>>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(received).AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));

        await host.Rider.GetProducer<ProducedMessage>(topic).Produce(new ProducedMessage("e-1", "t"));

        await Eventually.TrueAsync(() => received.Count == 1, TimeSpan.FromSeconds(30), "the record was consumed");
        Assert.DoesNotContain(logs.Lines, l => l.Contains("could not create", StringComparison.Ordinal));
    }
}
