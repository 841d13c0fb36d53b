using System.ComponentModel.DataAnnotations;

namespace Logbus.Worker.Messaging;

/// <summary>How the Worker rides Kafka outages (section <c>Kafka</c>, beside <c>BootstrapServers</c>).</summary>
public sealed class KafkaConsumingOptions
{
    public const string Section = "Kafka";

    /// <summary>
    /// How long the brokers may be unreachable before the Worker reports not ready. It can do nothing without them, so
    /// orchestrators and the "not ready" alert should hear of an outage within seconds, not after the rider's 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UnreachableTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
