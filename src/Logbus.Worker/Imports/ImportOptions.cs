using System.ComponentModel.DataAnnotations;

namespace Logbus.Worker.Imports;

/// <summary>
/// The import saga's endpoint and watchdog (section <c>Worker:Imports</c>). The topic is <c>Kafka:Topics:Imports</c>
/// (<see cref="Contracts.TopicOptions"/>).
/// </summary>
public sealed class ImportOptions
{
    public const string Section = "Worker:Imports";

    [Required]
    public string ConsumerGroup { get; set; } = "logbus-worker-imports";

    /// <summary>
    /// How long the group waits for a silent Worker before giving the imports topic to another. Kafka's 45 s default
    /// would leave every import's progress unread for that long after a Worker dies, though its chunks go on being stored.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the watchdog looks for imports that stopped moving.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An upload that sends no chunk for this long, and never finishes, fails.</summary>
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A read file whose remaining chunks are not stored for this long fails, naming the missing chunks.</summary>
    public TimeSpan ChunkTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A cancelled import no skipped chunk reported within this time is settled by the watchdog.</summary>
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(2);
}
