namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>How a missing topic is created on real Kafka.</summary>
public sealed class KafkaTopicOptions
{
    public int Partitions { get; set; } = 1;

    public short ReplicationFactor { get; set; } = 1;

    /// <summary>Topic configs, e.g. <c>retention.ms</c> or <c>cleanup.policy</c>.</summary>
    public IDictionary<string, string> Configs { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
