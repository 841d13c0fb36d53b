using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>SASL settings, passed unchanged to Confluent's client configuration.</summary>
public sealed class KafkaSaslOptions
{
    public SaslMechanism Mechanism { get; set; } = SaslMechanism.Plain;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>For <see cref="SaslMechanism.OAuthBearer"/>: librdkafka's <c>sasl.oauthbearer.config</c>.</summary>
    public string? OAuthBearerConfig { get; set; }
}
