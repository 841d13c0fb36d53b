namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>A message of a claimed outbox as listed before any body is read.</summary>
/// <param name="BodyBytes">The stored body's size, which PostgreSQL reports without reading the body.</param>
public readonly record struct ListedMessage(Guid OutboxId, long SequenceNumber, Uri? Destination, long BodyBytes);

/// <summary>
/// Which bodies a delivery round reads, decided from the listed messages alone: each outbox's messages in order up to
/// the first whose destination is held (the outbox then waits for the hold's recheck), within the round's message and
/// byte budget (always at least one message, however large). A held destination's bodies are never read: while a
/// backlog is held, a round costs a listing, not megabytes of bodies read only to be put back.
/// </summary>
public sealed class DeliveryPlan
{
    private readonly HashSet<Guid> _listed = [];
    private readonly HashSet<Guid> _unfinished = [];
    private readonly bool _listedAll;

    private DeliveryPlan(bool listedAll) => _listedAll = listedAll;

    /// <summary>The messages whose bodies are loaded and sent this round, in listing order.</summary>
    public List<long> ToLoad { get; } = [];

    /// <summary>Outboxes whose next message goes to a held destination: what comes before it is sent, the rest waits.</summary>
    public HashSet<Guid> Held { get; } = [];

    /// <summary>Bytes of the bodies in <see cref="ToLoad"/>.</summary>
    public long Bytes { get; private set; }

    /// <param name="listed">The claimed outboxes' messages, outbox after outbox in claim order, each outbox's in sequence.</param>
    /// <param name="listedAll">Whether <paramref name="listed"/> holds every message of the claimed outboxes.</param>
    public static DeliveryPlan For(IReadOnlyList<ListedMessage> listed, bool listedAll, Func<Uri, bool> isHeld, int maxMessages, long maxBytes)
    {
        var plan = new DeliveryPlan(listedAll);
        var full = false;
        foreach (var message in listed)
        {
            plan._listed.Add(message.OutboxId);
            if (plan.Held.Contains(message.OutboxId) || plan._unfinished.Contains(message.OutboxId))
            {
                // A message never overtakes an earlier one of its outbox.
                continue;
            }

            if (message.Destination is { } destination && isHeld(destination))
            {
                plan.Held.Add(message.OutboxId);
                continue;
            }

            full = full || (plan.ToLoad.Count > 0 && (plan.ToLoad.Count >= maxMessages || plan.Bytes + message.BodyBytes > maxBytes));
            if (full)
            {
                plan._unfinished.Add(message.OutboxId);
                continue;
            }

            plan.ToLoad.Add(message.SequenceNumber);
            plan.Bytes += message.BodyBytes;
        }

        if (!listedAll && listed.Count > 0)
        {
            // The listing stopped somewhere in its last outbox.
            plan._unfinished.Add(listed[^1].OutboxId);
        }

        return plan;
    }

    /// <summary>
    /// Whether sending this round's messages of <paramref name="outboxId"/> (all of them sent) leaves nothing of it: not
    /// held, nothing beyond the budget, and listed whole.
    /// </summary>
    public bool Completes(Guid outboxId) =>
        !Held.Contains(outboxId) && !_unfinished.Contains(outboxId) && (_listedAll || _listed.Contains(outboxId));
}
