namespace Logbus.Storage;

/// <summary>One stored log event: a row of the day-partitioned <c>log_events</c> table.</summary>
public sealed class LogEvent
{
    /// <summary>The client's id (at most 64 characters) or a time-ordered UUIDv7 given at ingest.</summary>
    public required string Id { get; init; }

    /// <summary>When the event happened, in UTC; the partition key.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>One of TRACE, DEBUG, INFO, WARN, ERROR, FATAL.</summary>
    public required string Level { get; init; }

    public required string Message { get; init; }

    public required string Source { get; init; }

    /// <summary>
    /// A JSON object as UTF-8 text, stored as <c>jsonb</c>: the bulk writer sends the bytes as they are, so an event's
    /// metadata goes from the Worker's record (whose bytes the row slices) to PostgreSQL without becoming a string.
    /// </summary>
    public ReadOnlyMemory<byte>? Metadata { get; init; }

    public string? TraceId { get; init; }

    public string? SpanId { get; init; }

    public string? Exception { get; init; }

    /// <summary>The bulk import the event came from, if any.</summary>
    public Guid? ImportId { get; init; }

    /// <summary>When the Api accepted the event.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When the Worker stored it; with <see cref="ReceivedAt"/>, the pipeline's latency for this event.</summary>
    public DateTimeOffset StoredAt { get; init; }
}
