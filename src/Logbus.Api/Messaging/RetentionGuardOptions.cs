using System.ComponentModel.DataAnnotations;
using Logbus.Messaging.Kafka.Retention;

namespace Logbus.Api.Messaging;

/// <summary>
/// The Kafka retention guard of the Api's outbox delivery (section <c>Kafka:RetentionGuard</c>): delivery to a topic
/// waits in the outbox while the Worker's consumer group is close to losing records to the broker's byte retention,
/// and records the broker lost (a restarted dev broker) are produced again. See <c>KafkaRetentionGuardOptions</c>.
/// </summary>
public sealed class RetentionGuardOptions
{
    public const string Section = "Kafka:RetentionGuard";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Comma-separated consumer groups whose lag on <c>log-events</c> may hold delivery (the Worker's
    /// <c>Worker:Storing:ConsumerGroup</c>).
    /// </summary>
    public string LogEventsConsumerGroups { get; set; } = "logbus-worker";

    /// <summary>Comma-separated consumer groups watched on the imports topic (the Worker's <c>Worker:Imports:ConsumerGroup</c>).</summary>
    public string ImportsConsumerGroups { get; set; } = "logbus-worker-imports";

    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(0.01, 1.0)]
    public double HoldAtRatio { get; set; } = KafkaRetentionGuardOptions.DefaultHoldAtRatio;

    [Range(0.0, 1.0)]
    public double ResumeAtRatio { get; set; } = KafkaRetentionGuardOptions.DefaultResumeAtRatio;

    /// <summary>The bytes a partition keeps; unset asks the broker (<c>retention.bytes</c>), and the dev broker keeps 5 MiB.</summary>
    [Range(1L, long.MaxValue)]
    public long? RetentionBytes { get; set; }

    /// <summary>How long a watched topic waits at start-up for the guard's first successful look (see <c>KafkaRetentionGuardOptions</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StartupHoldLimit { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(15);

    [Range(0L, long.MaxValue)]
    public long ReplayMaxBytes { get; set; } = 512L * 1024 * 1024;
}
