namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>
/// A bus-outbox message the transport refused for good (too large, or an error no retry can fix), moved out of the
/// outbox so the messages behind it keep flowing. It keeps everything needed to send it again by hand once the cause
/// is fixed (a limit raised, for example).
/// </summary>
public class ParkedOutboxMessage
{
    /// <summary>Its sequence number in the outbox, kept so order among parked messages is still the send order.</summary>
    public long SequenceNumber { get; set; }

    public Guid MessageId { get; set; }

    public Guid? OutboxId { get; set; }

    public DateTime SentTime { get; set; }

    public string? Headers { get; set; }

    public string? Properties { get; set; }

    public string ContentType { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string Body { get; set; } = "";

    public Uri? DestinationAddress { get; set; }

    /// <summary>Why it was parked, one of <see cref="BusOutbox.ParkReasons"/>: the metric's and health check's label.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The transport's own words.</summary>
    public string Error { get; set; } = "";

    /// <summary>When it was parked (UTC).</summary>
    public DateTime Parked { get; set; }
}
