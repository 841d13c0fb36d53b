using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.Kafka.Producing;

namespace Logbus.Api.Messaging;

/// <summary>Lets the outbox park records Kafka refuses for good, by librdkafka's error codes.</summary>
internal sealed class KafkaSendFailureClassifier : IOutboxSendFailureClassifier
{
    public string? PermanentReason(Exception exception) => KafkaProduceFailures.PermanentReason(exception);
}
