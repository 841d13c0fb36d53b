using Confluent.Kafka;

namespace Logbus.Api.Messaging;

/// <summary>How the Api's outbox delivery produces to Kafka (section <c>Kafka</c>, beside <c>BootstrapServers</c>).</summary>
public sealed class KafkaProducingOptions
{
    public const string Section = "Kafka";

    /// <summary>
    /// Chunks are JSON of up to 1,000 events (~0.5 MB): lz4 shrinks them several times over at little CPU, which also
    /// keeps several times more of them within a broker's per-partition retention.
    /// </summary>
    public CompressionType Compression { get; set; } = CompressionType.Lz4;
}
