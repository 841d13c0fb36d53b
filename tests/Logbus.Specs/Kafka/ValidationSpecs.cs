using Confluent.Kafka;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Producing;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

/// <summary>Mistakes that would make messages silently never arrive are start-up errors.</summary>
[Trait("Kind", "Integration")]
public sealed class ValidationSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_message_type_without_a_namespace_stops_the_bus_from_starting()
    {
        var failure = await StartFailureAsync(r =>
        {
            r.AddConsumer<RecordingConsumer<GlobalNamespaceMessage>>();
            r.UsingKafka((context, k) =>
            {
                k.Host(SharedServers.Kafka.BootstrapServers);
                k.TopicEndpoint<GlobalNamespaceMessage>(SpecNames.Unique("global"), SpecNames.Unique("group"),
                    e => e.ConfigureConsumer<RecordingConsumer<GlobalNamespaceMessage>>(context));
            });
        });

        Assert.Contains("GlobalNamespaceMessage", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("namespace", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_topic_endpoint_with_nothing_connected_stops_the_bus_from_starting()
    {
        var failure = await StartFailureAsync(r => r.UsingKafka((_, k) =>
        {
            k.Host(SharedServers.Kafka.BootstrapServers);
            k.TopicEndpoint<ProducedMessage>(SpecNames.Unique("empty"), SpecNames.Unique("group"), _ => { });
        }));

        Assert.Contains("nothing connected", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_topic_endpoint_whose_message_type_nothing_consumes_stops_the_bus_from_starting()
    {
        var failure = await StartFailureAsync(r =>
        {
            r.AddConsumer<RecordingConsumer<SentFromConsumer>>();
            r.UsingKafka((context, k) =>
            {
                k.Host(SharedServers.Kafka.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(SpecNames.Unique("mismatch"), SpecNames.Unique("group"),
                    e => e.ConfigureConsumer<RecordingConsumer<SentFromConsumer>>(context));
            });
        });

        Assert.Contains("nothing on the endpoint consumes it", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rider_without_brokers_stops_the_bus_from_starting()
    {
        var failure = await StartFailureAsync(r => r.UsingKafka((_, _) => { }));

        Assert.Contains("bootstrap servers", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sasl_and_ssl_settings_pass_through_to_every_client_configuration()
    {
        var host = new KafkaHostSettings(null) { BootstrapServers = "broker:9093" };
        host.UseSasl(s =>
        {
            s.Mechanism = SaslMechanism.ScramSha512;
            s.Username = "logbus";
            s.Password = "secret";
        });
        host.UseSsl(s =>
        {
            s.CaLocation = "/etc/kafka/ca.pem";
            s.VerifyHostName = false;
        });
        host.ConfigureClient(c => c.SocketKeepaliveEnable = true);

        var endpoint = new KafkaTopicEndpointSettings("t", "g");
        var consumer = endpoint.CreateConsumerConfig(host.CreateClientConfig(), 0);
        var producer = new KafkaProducerPool(host, new KafkaProducerOptions(),
            new Messaging.Kafka.Health.KafkaConnectivityMonitor(host, TimeSpan.FromSeconds(1)))
            .CreateConfig();

        foreach (var config in new ClientConfig[] { consumer, producer })
        {
            Assert.Equal("broker:9093", config.BootstrapServers);
            Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
            Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
            Assert.Equal("logbus", config.SaslUsername);
            Assert.Equal("secret", config.SaslPassword);
            Assert.Equal("/etc/kafka/ca.pem", config.SslCaLocation);
            Assert.Equal(SslEndpointIdentificationAlgorithm.None, config.SslEndpointIdentificationAlgorithm);
            Assert.True(config.SocketKeepaliveEnable);
        }

        Assert.True(producer.EnableIdempotence);
        Assert.Equal(Acks.All, producer.Acks);
        Assert.False(consumer.EnableAutoCommit);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, consumer.PartitionAssignmentStrategy);
    }

    private async Task<Exception> StartFailureAsync(Action<IRiderRegistrationConfigurator> configure)
    {
        var failure = await Record.ExceptionAsync(async () =>
        {
            await using var host = await RiderHost.StartAsync(output, configure);
        });
        Assert.NotNull(failure);
        output.WriteLine(failure.ToString());
        return failure;
    }
}
