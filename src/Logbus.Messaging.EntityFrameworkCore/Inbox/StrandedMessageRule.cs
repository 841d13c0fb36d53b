namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>What becomes of messages a consumer sent that never reached the transport.</summary>
public enum StrandedMessageRule
{
    /// <summary>
    /// Move them to the bus outbox, whose delivery service sends them to their recorded destinations; the inbox row is
    /// marked delivered and ages out like any other. Needs a bus-outbox delivery service on the database.
    /// </summary>
    HandToBusOutbox,

    /// <summary>Leave them; <c>logbus.messaging.inbox.undelivered</c> keeps reporting them for someone to act on.</summary>
    Keep,
}
