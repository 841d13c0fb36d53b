namespace Logbus.Messaging.Kafka;

/// <summary>
/// The rider of this container once the bus has created it. MassTransit hands out a rider only after the bus started;
/// health checks and the keyed send endpoint provider need it (or need to know it is missing) before that. Disposed
/// with the container, it releases the rider's clients even when the bus never started or stopped.
/// </summary>
internal sealed class KafkaRiderAccessor : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Action<KafkaRider>> _whenCreated = [];
    private KafkaRider? _rider;

    public KafkaRider? Rider
    {
        get => Volatile.Read(ref _rider);
        set
        {
            Action<KafkaRider>[] actions;
            lock (_gate)
            {
                _rider = value;
                actions = [.. _whenCreated];
            }

            if (value is not null)
            {
                foreach (var action in actions)
                {
                    action(value);
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the rider as soon as it exists (now, if it does), before it produces anything:
    /// settings that must hold from its first record, such as keeping delivered records for a replay.
    /// </summary>
    public void WhenCreated(Action<KafkaRider> action)
    {
        KafkaRider? rider;
        lock (_gate)
        {
            _whenCreated.Add(action);
            rider = _rider;
        }

        if (rider is not null)
        {
            action(rider);
        }
    }

    public void Dispose()
    {
        Rider?.Producers.Dispose();
        Rider?.Connectivity.Dispose();
    }
}
