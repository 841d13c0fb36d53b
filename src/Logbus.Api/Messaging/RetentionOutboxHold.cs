using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Retention;

namespace Logbus.Api.Messaging;

/// <summary>Holds outbox messages for a Kafka topic while the retention guard holds the topic.</summary>
internal sealed class RetentionOutboxHold(KafkaRetentionGuard guard) : IOutboxDeliveryHold
{
    public bool IsHeld(Uri destination) => TopicAddress.TryParse(destination, out var topic) && guard.IsHeld(topic);

    public bool IsHolding(Uri destination) => TopicAddress.TryParse(destination, out var topic) && guard.IsHolding(topic);
}
