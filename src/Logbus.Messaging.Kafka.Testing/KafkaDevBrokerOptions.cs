namespace Logbus.Messaging.Kafka.Testing;

/// <summary>Shape of a development broker: how many brokers, which topics, how fast groups settle.</summary>
public sealed class KafkaDevBrokerOptions
{
    /// <summary>Number of brokers in the mock cluster; broker ids run from 1 to this number.</summary>
    public int BrokerCount { get; set; } = 1;

    /// <summary>Topics created at start, with their partition counts.</summary>
    public IDictionary<string, int> Topics { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// How long a new consumer group waits for more members before its first assignment. Real Kafka defaults to 3 s;
    /// development and specs want groups to settle quickly.
    /// </summary>
    public TimeSpan InitialRebalanceDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
