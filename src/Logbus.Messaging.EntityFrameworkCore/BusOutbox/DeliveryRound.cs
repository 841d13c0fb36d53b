namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>What one claim-send-commit round of the delivery service did.</summary>
/// <param name="Claimed">Outbox transactions claimed.</param>
/// <param name="Delivered">Messages handed to the transport.</param>
/// <param name="Failed">A send failed; the rest of that outbox waits for a later round.</param>
public readonly record struct DeliveryRound(int Claimed, int Delivered, bool Failed);
