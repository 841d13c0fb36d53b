namespace Logbus.Messaging.Kafka;

/// <summary>
/// The rider of this container once the bus has created it. MassTransit hands out a rider only after the bus started;
/// health checks and the keyed send endpoint provider need it (or need to know it is missing) before that.
/// </summary>
internal sealed class KafkaRiderAccessor
{
    public KafkaRider? Rider { get; set; }
}
