namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Asks the delivery service to keep messages for a destination in the outbox for now: a transport registers one when
/// sending more would hurt (the Kafka one holds a topic while a consumer group's lag nears the topic's retention, so a
/// backlog waits in PostgreSQL rather than in a broker that would delete it unread). A held outbox is looked at again
/// after <see cref="BusOutboxOptions.HoldRecheckInterval"/>, without counting as a failed attempt.
/// </summary>
public interface IOutboxDeliveryHold
{
    /// <summary>True while messages to <paramref name="destination"/> must wait. Called per message: keep it cheap.</summary>
    bool IsHeld(Uri destination);
}
