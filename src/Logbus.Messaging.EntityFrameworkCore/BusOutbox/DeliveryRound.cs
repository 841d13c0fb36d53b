namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>What one claim-send-commit round of the delivery service did.</summary>
/// <param name="Claimed">Outbox transactions claimed.</param>
/// <param name="Delivered">Messages handed to the transport.</param>
/// <param name="Failed">A send failed; the rest of that outbox waits for its own next attempt.</param>
/// <param name="Parked">Messages the transport refused for good, moved to <c>outbox_parked</c>.</param>
/// <param name="NextAttemptIn">When nothing was claimable: how long until the earliest outbox backing off is due.</param>
/// <param name="Loaded">Messages whose bodies were read from the database.</param>
/// <param name="Held">Outboxes put off because their next message goes to a held destination.</param>
public readonly record struct DeliveryRound(int Claimed, int Delivered, bool Failed, int Parked = 0, TimeSpan? NextAttemptIn = null, int Loaded = 0,
    int Held = 0);
