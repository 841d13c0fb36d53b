namespace Logbus.Messaging.Kafka;

/// <summary>
/// The rider of this container once the bus has created it. MassTransit hands out a rider only after the bus started;
/// health checks and the keyed send endpoint provider need it (or need to know it is missing) before that. Disposed
/// with the container, it releases the rider's clients even when the bus never started or stopped.
/// </summary>
internal sealed class KafkaRiderAccessor : IDisposable
{
    public KafkaRider? Rider { get; set; }

    public void Dispose()
    {
        Rider?.Producers.Dispose();
        Rider?.Connectivity.Dispose();
    }
}
