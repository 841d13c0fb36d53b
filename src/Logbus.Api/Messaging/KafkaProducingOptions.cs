using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace Logbus.Api.Messaging;

/// <summary>How the Api's outbox delivery produces to Kafka (section <c>Kafka</c>, beside <c>BootstrapServers</c>).</summary>
/// <remarks>
/// The sizes must agree, and <see cref="MessageSizeSettingsValidator"/> refuses to start when they do not:
/// <c>Ingest:ChunkMaxBytes</c> plus a chunk's envelope ≤ <see cref="MessageMaxBytes"/> ≤ <see cref="TopicMaxMessageBytes"/>.
/// </remarks>
public sealed class KafkaProducingOptions
{
    public const string Section = "Kafka";

    /// <summary>
    /// Chunks are JSON of up to 1,000 events (~0.5 MB): lz4 shrinks them several times over at little CPU, which also
    /// keeps several times more of them within a broker's per-partition retention.
    /// </summary>
    public CompressionType Compression { get; set; } = CompressionType.Lz4;

    /// <summary>
    /// The producer's <c>linger.ms</c>: how long a record waits for others to share its produce request. Every direct
    /// produce waits it out before the broker sees the record, so it adds to each ingest request's latency. 1 ms: the
    /// single-event writer and the batch chunks group events already, and since the Worker stores small chunks together,
    /// the smaller chunks a shorter linger makes no longer cost it a transaction each (5 ms answered single POSTs at
    /// 10.6-11.8 ms median and took 2,470-2,539 of them a second, 1 ms at 4.3-5.3 ms and 4,829-6,417: bench/README.md).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The producer's <c>message.max.bytes</c>: the largest record it sends (librdkafka's default).</summary>
    [Range(1000, 1_000_000_000)]
    public int MessageMaxBytes { get; set; } = 1_000_000;

    /// <summary>
    /// The <c>max.message.bytes</c> the brokers enforce on the log-events topic (Kafka's default; compose/ sets the
    /// broker's <c>message.max.bytes</c> to it). Raise both together.
    /// </summary>
    [Range(1000, 1_000_000_000)]
    public int TopicMaxMessageBytes { get; set; } = 1_048_588;
}
