namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Asks the delivery service to keep messages for a destination in the outbox for now: a transport registers one when
/// sending more would hurt (the Kafka one holds a topic while a consumer group's lag nears the topic's retention, so a
/// backlog waits in PostgreSQL rather than in a broker that would delete it unread). A held outbox is looked at again
/// after <see cref="BusOutboxOptions.HoldRecheckInterval"/>, without counting as a failed attempt.
/// </summary>
public interface IOutboxDeliveryHold
{
    /// <summary>
    /// True while messages to <paramref name="destination"/> must wait. Called once per message right before it is sent,
    /// so a hold may count a false answer as a message let through. Keep it cheap.
    /// </summary>
    bool IsHeld(Uri destination);

    /// <summary>
    /// Whether <paramref name="destination"/> is held right now, counting nothing: how a delivery round looks ahead at
    /// messages it may not send this round, to leave a held destination's bodies unread.
    /// </summary>
    bool IsHolding(Uri destination);
}
