namespace Logbus.Messaging.Kafka.Retention;

/// <summary>How <see cref="KafkaRetentionGuard"/> watches consumer lag and keeps delivered records for a replay.</summary>
public sealed class KafkaRetentionGuardOptions
{
    /// <summary>librdkafka's mock cluster (the dev broker) keeps the newest 5 MiB of each partition; the number is fixed in librdkafka.</summary>
    public const long DevBrokerPartitionBytes = 5L * 1024 * 1024;

    /// <summary>
    /// The default hold: a fifth of the partition stays for what the guard cannot see yet (the Worker's read-ahead and
    /// uncommitted chunks count as lag). Hosts with settings of their own default to these too.
    /// </summary>
    public const double DefaultHoldAtRatio = 0.8;

    /// <summary>The default release, with room below the hold so a backlog drains before delivery resumes.</summary>
    public const double DefaultResumeAtRatio = 0.6;

    /// <summary>The consumer groups whose lag may hold delivery, per topic. A topic without groups is never held.</summary>
    public IDictionary<string, IList<string>> ConsumerGroups { get; } = new Dictionary<string, IList<string>>(StringComparer.Ordinal);

    /// <summary>How often lag and log ends are read (one metadata, watermark and group-offset look per watched topic).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Delivery to a topic is held once a watched group's lag on any partition reaches this share of the retention.</summary>
    public double HoldAtRatio { get; set; } = DefaultHoldAtRatio;

    /// <summary>A held topic is released once every partition's lag is below this share of the retention.</summary>
    public double ResumeAtRatio { get; set; } = DefaultResumeAtRatio;

    /// <summary>
    /// The bytes a partition keeps. Unset: the topic's <c>retention.bytes</c> as the broker describes it (no hold when it
    /// has none), or <see cref="DevBrokerPartitionBytes"/> when the broker cannot describe configurations, as the dev
    /// broker cannot.
    /// </summary>
    public long? RetentionBytes { get; set; }

    /// <summary>
    /// How long a watched topic is held from start-up while no look at it succeeds. Past it, delivery goes on without the
    /// guard (logged as an error): a guard that can never read the lag (say, no right to read the consumer groups' offsets)
    /// must not stop delivery for good. A broker that cannot be reached does not count: nothing could be delivered then.
    /// </summary>
    public TimeSpan StartupHoldLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long delivered records are kept in memory to be produced again when the broker lost its log (a restarted dev
    /// broker); they go earlier once every watched group of their topic consumed them. Zero keeps none.
    /// </summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>At most this many bytes of delivered records are kept for a replay; the oldest go first (and are counted).</summary>
    public long ReplayMaxBytes { get; set; } = 512L * 1024 * 1024;
}
