using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// MassTransit calls <see cref="Complete"/> only after the whole receive pipe finished (consumers, outbox, receive
/// tasks); that is the moment a record's offset may become committable. Faults are handled by the partition lane.
/// </summary>
internal sealed class KafkaReceiveLockContext(OffsetTracker tracker, OffsetTracker.Entry entry) : ReceiveLockContext
{
    public bool IsCompleted { get; private set; }

    public Task Complete()
    {
        IsCompleted = true;
        tracker.Complete(entry);
        return Task.CompletedTask;
    }

    public Task Faulted(Exception exception) => Task.CompletedTask;

    public Task ValidateLockStatus() => Task.CompletedTask;
}
