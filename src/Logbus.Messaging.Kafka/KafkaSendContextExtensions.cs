using MassTransit;

namespace Logbus.Messaging.Kafka;

public static class KafkaSendContextExtensions
{
    /// <summary>Sets the Kafka message key of a message sent to a topic address (the <see cref="KafkaHeaders.Key"/> header).</summary>
    public static void SetKafkaKey(this SendContext context, string? key)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Setting null removes the header.
        context.Headers.Set(KafkaHeaders.Key, key);
    }

    /// <summary>The Kafka message key set with <see cref="SetKafkaKey"/>, if any.</summary>
    public static string? GetKafkaKey(this SendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Headers.TryGetHeader(KafkaHeaders.Key, out var value) ? KafkaHeaderValues.AsString(value) : null;
    }
}
