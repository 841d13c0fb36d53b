using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>How the rider's clients connect: client id, security, and any other librdkafka client property.</summary>
public interface IKafkaHostConfigurator
{
    string ClientId { set; }

    /// <summary>Set it explicitly, or let <see cref="UseSasl"/>/<see cref="UseSsl"/> choose SASL_PLAINTEXT, SSL or SASL_SSL.</summary>
    SecurityProtocol SecurityProtocol { set; }

    void UseSasl(Action<KafkaSaslOptions> configure);

    void UseSsl(Action<KafkaSslOptions> configure);

    /// <summary>Any other client property, applied to consumers, producers and admin clients alike.</summary>
    void ConfigureClient(Action<ClientConfig> configure);
}
