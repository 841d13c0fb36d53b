using System.ComponentModel.DataAnnotations;

namespace Logbus.Contracts;

/// <summary>
/// The Kafka topics of one deployment, under the same keys in every service that produces or consumes them:
/// <c>Kafka:Topics:LogEvents</c> and <c>Kafka:Topics:Imports</c>. Unset, they are the names in <see cref="Topics"/>.
/// </summary>
public sealed class TopicOptions
{
    public const string Section = "Kafka:Topics";

    /// <summary>Accepted events, from the Api to the Worker.</summary>
    [Required]
    public string LogEvents { get; set; } = Topics.LogEvents;

    /// <summary>Import progress, from the Api and the Worker to the import saga.</summary>
    [Required]
    public string Imports { get; set; } = Topics.Imports;

    /// <summary>Where the Worker dead-letters records of <see cref="LogEvents"/> it cannot store.</summary>
    public string LogEventsDeadLetters => LogEvents + ".dlq";
}
