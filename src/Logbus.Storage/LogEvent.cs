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

    /// <summary>A JSON object, stored as <c>jsonb</c>.</summary>
    public string? Metadata { get; init; }

    /// <summary>
    /// The same object as UTF-8 text, which the bulk writer sends as it is, preferred to <see cref="Metadata"/>: the
    /// Worker's rows carry this, so an event's metadata goes from its record to PostgreSQL without becoming a string.
    /// Not mapped.
    /// </summary>
    public ReadOnlyMemory<byte>? MetadataUtf8 { get; init; }

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
