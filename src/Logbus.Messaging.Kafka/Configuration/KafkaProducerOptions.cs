using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>
/// Settings of the rider's producers. Every producer is idempotent with <c>acks=all</c>: those two are not options,
/// because a log pipeline must neither lose nor duplicate records on a producer retry.
/// </summary>
public sealed class KafkaProducerOptions
{
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>
    /// The largest record (and request) the producer sends, librdkafka <c>message.max.bytes</c>; larger records fail at
    /// once with <c>MsgSizeTooLarge</c>. Its default is librdkafka's own, stated here so it can be checked against the
    /// topic's <c>max.message.bytes</c>.
    /// </summary>
    public int MessageMaxBytes { get; set; } = 1_000_000;

    /// <summary>How long the producer waits to fill a batch (librdkafka <c>linger.ms</c>).</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a record may wait for delivery before producing it fails (librdkafka <c>message.timeout.ms</c>).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long stopping the rider waits for records still in flight.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Any other producer property (applied before idempotence and <c>acks=all</c> are enforced).</summary>
    public Action<ProducerConfig>? Configure { get; set; }
}
