namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>
/// One inbound message as seen by one consumer: the row that deduplicates redeliveries and tracks the delivery of
/// what the consumer sent. Its row lock serialises every copy of the same message.
/// </summary>
public class InboxState
{
    public Guid MessageId { get; set; }

    /// <summary>Derived by MassTransit from the endpoint name and the consumer type; renaming either changes it.</summary>
    public Guid ConsumerId { get; set; }

    /// <summary>When the first copy arrived (UTC).</summary>
    public DateTime Received { get; set; }

    /// <summary>How many transactions took this row: the first copy, the delivery pass, and every redelivery.</summary>
    public int ReceiveCount { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>When the consumer's transaction committed; null only while that transaction is open.</summary>
    public DateTime? Consumed { get; set; }

    /// <summary>When everything the consumer sent had reached the transport; the duplicate window counts from here.</summary>
    public DateTime? Delivered { get; set; }

    /// <summary>The last outbox message of this consumer that reached the transport.</summary>
    public long? LastSequenceNumber { get; set; }
}
