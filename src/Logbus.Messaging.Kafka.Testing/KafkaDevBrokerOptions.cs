namespace Logbus.Messaging.Kafka.Testing;

/// <summary>Shape of a development broker: how many brokers, which topics, how fast groups settle.</summary>
public sealed class KafkaDevBrokerOptions
{
    /// <summary>Number of brokers in the mock cluster; broker ids run from 1 to this number.</summary>
    public int BrokerCount { get; set; } = 1;

    /// <summary>
    /// The port clients connect to (one broker only), through a relay in front of the mock broker, which itself listens
    /// on a port the system picks. A broker started again on the same port is the same address to its clients: a
    /// restart that lost the log, as a crashed dev broker does. Unset: the mock broker's own port.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>Topics created at start, with their partition counts.</summary>
    public IDictionary<string, int> Topics { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// How long a new consumer group waits for more members before its first assignment. Real Kafka defaults to 3 s;
    /// development and specs want groups to settle quickly.
    /// </summary>
    public TimeSpan InitialRebalanceDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
