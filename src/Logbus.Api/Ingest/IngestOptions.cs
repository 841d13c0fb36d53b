using System.ComponentModel.DataAnnotations;

namespace Logbus.Api.Ingest;

/// <summary>
/// Limits and behaviour of ingest (section <c>Ingest</c>). Every limit is configurable; the topic is
/// <c>Kafka:Topics:LogEvents</c> (<see cref="Contracts.TopicOptions"/>).
/// </summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    public int MaxIdLength { get; set; } = 64;

    /// <summary>UTF-8 bytes.</summary>
    public int MaxMessageBytes { get; set; } = 32 * 1024;

    public int MaxSourceLength { get; set; } = 200;

    /// <summary>UTF-8 bytes of the metadata object as JSON.</summary>
    public int MaxMetadataBytes { get; set; } = 64 * 1024;

    public int MaxMetadataDepth { get; set; } = 16;

    /// <summary>UTF-8 bytes.</summary>
    public int MaxExceptionBytes { get; set; } = 64 * 1024;

    /// <summary>Request body after decompression.</summary>
    public long MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>A chunk (one outbox message, one Kafka record) holds at most this many events…</summary>
    [Range(1, int.MaxValue)]
    public int ChunkMaxEvents { get; set; } = 1000;

    /// <summary>…and about this many bytes of event content.</summary>
    [Range(1, int.MaxValue)]
    public int ChunkMaxBytes { get; set; } = 512 * 1024;

    /// <summary>
    /// How far ahead of its arrival an event's timestamp may be (clock skew; the past is bounded by the retention).
    /// At most <c>Storage:Partitions:DaysAhead</c> days, so such an event lands in a prepared partition.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "366.00:00:00")]
    public TimeSpan MaxTimestampAhead { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Produce accepted chunks straight to Kafka and answer after the broker's acknowledgement (PostgreSQL untouched);
    /// a chunk goes to the transactional outbox instead while Kafka is unreachable or slow, or the retention guard holds
    /// the topic. False writes every chunk to the outbox, as before.
    /// </summary>
    public bool DirectProduce { get; set; } = true;

    /// <summary>How long a request waits for the broker's acknowledgement before its chunk goes to the outbox instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan DirectProduceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After a direct produce failed or timed out, how long every chunk goes to the outbox before one chunk tries Kafka
    /// again: a broker that is away costs one request the timeout, not every request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DirectProduceBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Single-event requests share chunks: this many writers each take what is queued (up to a chunk) and send it as one.
    /// More writers answer sooner while the machine has CPU to spare (a request waits for fewer sends ahead of it); fewer
    /// make larger chunks, and each chunk costs the Worker a store transaction whatever its size. On 2 cores one writer
    /// answered sooner and took more requests than two (bench/README.md, "Single events").
    /// </summary>
    [Range(1, 64)]
    public int SingleEventWriters { get; set; } = 1;

    /// <summary>Source of a Seq/CLEF event that names none and whose API key has none.</summary>
    public string DefaultClefSource { get; set; } = "seq";

    /// <summary>CLEF properties that name the source, in order of preference.</summary>
    public IList<string> ClefSourceProperties { get; set; } = ["Application", "ApplicationName", "Service", "ServiceName", "Source"];
}
