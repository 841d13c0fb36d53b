namespace Logbus.Query.Search;

/// <summary>A stored event as the query API returns it.</summary>
public sealed record LogEventView(
    string Id,
    DateTimeOffset Timestamp,
    string Level,
    string Message,
    string Source,
    RawJson? Metadata,
    string? TraceId,
    string? SpanId,
    string? Exception,
    Guid? ImportId,
    DateTimeOffset ReceivedAt,
    DateTimeOffset StoredAt);
