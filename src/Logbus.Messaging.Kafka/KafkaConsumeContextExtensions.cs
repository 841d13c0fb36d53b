using MassTransit;

namespace Logbus.Messaging.Kafka;

public static class KafkaConsumeContextExtensions
{
    /// <summary>The Kafka record a message was consumed from, or null when it did not come from a topic endpoint.</summary>
    public static KafkaRecord? GetKafkaRecord(this ConsumeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.ReceiveContext.TryGetPayload<KafkaRecord>(out var record) ? record : null;
    }
}
