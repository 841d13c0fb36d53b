namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>
/// One database transaction that published or sent through the bus outbox. The delivery service claims it with
/// <c>FOR UPDATE SKIP LOCKED</c>, so its messages go out in order and from one instance at a time. Sent messages are
/// deleted in the claiming transaction, so what is left of an outbox is exactly what remains to be sent.
/// </summary>
public class OutboxState
{
    public Guid OutboxId { get; set; }

    /// <summary>When the first message was added (UTC); claims go oldest first.</summary>
    public DateTime Created { get; set; }

    /// <summary>Failed delivery attempts in a row; reset by nothing, since a delivered outbox is deleted.</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// Not claimed before this time (UTC) after a failed attempt: each outbox backs off on its own, so one that keeps
    /// failing does not hold back the outboxes committed after it.
    /// </summary>
    public DateTime? NextAttempt { get; set; }
}
