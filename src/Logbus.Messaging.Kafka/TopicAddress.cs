namespace Logbus.Messaging.Kafka;

/// <summary>
/// The address of a Kafka topic: the URI <c>topic:&lt;name&gt;</c>, e.g. <c>topic:log-events</c>.
/// </summary>
/// <remarks>
/// This is the address contract between the rider and everything that sends to Kafka through MassTransit's
/// <see cref="MassTransit.ISendEndpointProvider"/>: the keyed send endpoint provider (service key
/// <see cref="Scheme"/>), a consume context on a topic endpoint, and an outbox that stores the address and re-sends later.
/// </remarks>
public static class TopicAddress
{
    /// <summary>The URI scheme of topic addresses, and the service key of the rider's keyed send endpoint provider.</summary>
    public const string Scheme = "topic";

    /// <summary>Builds <c>topic:&lt;name&gt;</c>.</summary>
    public static Uri For(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        if (topic.Contains('/', StringComparison.Ordinal) || topic.Contains('?', StringComparison.Ordinal)
            || topic.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{topic}' is not a valid Kafka topic name.", nameof(topic));
        }

        return new Uri($"{Scheme}:{topic}");
    }

    /// <summary>True when the address uses the <c>topic</c> scheme.</summary>
    public static bool IsTopicAddress(Uri? address) =>
        address is not null && address.IsAbsoluteUri && string.Equals(address.Scheme, Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the topic name from <c>topic:&lt;name&gt;</c>.</summary>
    public static bool TryParse(Uri? address, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? topic)
    {
        topic = null;
        if (!IsTopicAddress(address))
        {
            return false;
        }

        var name = Uri.UnescapeDataString(address!.AbsolutePath).Trim('/');
        if (name.Length == 0)
        {
            return false;
        }

        topic = name;
        return true;
    }

    /// <summary>Reads the topic name from <c>topic:&lt;name&gt;</c>, or throws when the address is not a topic address.</summary>
    public static string Parse(Uri address) =>
        TryParse(address, out var topic)
            ? topic
            : throw new ArgumentException($"'{address}' is not a topic address (expected {Scheme}:<name>).", nameof(address));
}
