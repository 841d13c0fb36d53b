using System.ComponentModel.DataAnnotations;

namespace Logbus.Worker.Storing;

/// <summary>
/// How the Worker consumes <c>log-events</c> (section <c>Worker:Storing</c>); the topics are in
/// <see cref="Contracts.TopicOptions"/>.
/// </summary>
public sealed class StoringOptions
{
    public const string Section = "Worker:Storing";

    [Required]
    public string ConsumerGroup { get; set; } = "logbus-worker";

    /// <summary>
    /// How long the group waits for a silent Worker before giving its partitions to another. Shorter than Kafka's
    /// 45 s default, so a Worker that died is replaced quickly.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the offsets of stored chunks are committed. The Api's retention guard reads the group's lag from these
    /// commits, so a chunk stored but not yet committed still counts as unconsumed there: at 15,000 events/s one second of
    /// commits is about a fifth of what a dev-broker partition keeps. A commit is one small request to the broker.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Chunks of one partition stored at once (each in its own transaction). Partitions always run in parallel.</summary>
    [Range(1, 64)]
    public int ConcurrentChunksPerPartition { get; set; } = 2;

    /// <summary>
    /// Store transactions (chunks) running at once across all partitions, however many partitions this Worker owns:
    /// more than the machine's cores only makes the transactions contend for the same table partition and its indexes
    /// (bench/README.md). Records of the other partitions wait in their lanes meanwhile. Default: the processor count.
    /// </summary>
    [Range(1, 256)]
    public int StoreConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Records stored together in one transaction at most: records waiting for a store slot are merged when one frees, so
    /// a small chunk does not cost a transaction, an inbox round trip and a COPY of its own. 1 stores every record on its own.
    /// </summary>
    [Range(1, 1024)]
    public int MergeMaxRecords { get; set; } = 64;

    /// <summary>
    /// Events in one merged transaction at most (a record larger than this is still stored, alone): bounds the rows a
    /// transaction writes and holds locks on, and what a refused row makes the records redo one by one.
    /// </summary>
    [Range(1, 100_000)]
    public int MergeMaxEvents { get; set; } = 4_000;

    /// <summary>
    /// Chunks of imports merge with other records too: the merged transaction writes each chunk's progress message to
    /// the import saga into the consumer outbox, as a chunk stored alone does, and sends it once committed. False stores
    /// every chunk of an import on its own (the way before 2026-12-07 night; bench/README.md compares the two).
    /// </summary>
    public bool MergeImportChunks { get; set; } = true;

    /// <summary>
    /// Read each record's message straight from its bytes (the rider's deserializer). False: MassTransit's raw JSON
    /// deserializer, which first parses the whole record into a JsonElement (a copy of the record and a token table,
    /// large-object arrays for a chunk of hundreds of kB); kept to compare the two (bench/README.md).
    /// </summary>
    public bool ReadRecordsDirectly { get; set; } = true;

    /// <summary>
    /// COPY a chunk straight into <c>log_events</c> (under a savepoint), and only when a row is already there fall back
    /// to staging plus <c>INSERT … ON CONFLICT DO NOTHING</c>, which counts the duplicates. False: always the staging way.
    /// </summary>
    public bool CopyDirect { get; set; } = true;

    /// <summary>
    /// librdkafka's read-ahead for <c>log-events</c> (<c>queued.max.messages.kbytes</c>), native memory outside the
    /// .NET heap, counted in the Worker's resident memory (librdkafka's default is 64 MiB). The lanes hold a read-ahead
    /// of their own besides (<see cref="PrefetchKilobytesPerPartition"/>), which is what keeps the store transactions fed.
    /// </summary>
    [Range(1024, 2_097_151)]
    public int FetchQueueKilobytes { get; set; } = 8 * 1024;

    /// <summary>
    /// What each partition's lane reads ahead of the store transactions (record keys and values, on the .NET heap): a
    /// partition is paused once its lane holds this much and resumed at half. Every partition this Worker owns holds up to
    /// this while the Worker is behind, so it is a share of the Worker's resident memory: at 2 MiB (the rider's default)
    /// the Worker peaked 20-25 MB higher under load than at 512 KiB, and stored no faster (bench/README.md). A lane
    /// still takes <see cref="ConcurrentChunksPerPartition"/> chunks however large they are (a full chunk is about
    /// 530 kB), so its store slots never wait behind a pause.
    /// </summary>
    [Range(64, 64 * 1024)]
    public int PrefetchKilobytesPerPartition { get; set; } = 512;

    /// <summary>
    /// Retries of a chunk that fails because PostgreSQL is unreachable; with the interval capped, the default rides out
    /// about four hours of outage before the chunk is dead-lettered (where it can still be replayed).
    /// </summary>
    [Range(0, int.MaxValue)]
    public int TransientRetryLimit { get; set; } = 1000;

    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A pause before each chunk is stored, to slow the Worker on purpose: how specs and chaos runs make a backlog (the
    /// Api's retention guard then holds delivery in the outbox). Zero in production.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ThrottlePerChunk { get; set; } = TimeSpan.Zero;
}
