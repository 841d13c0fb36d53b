using System.Text.Json;

namespace Logbus.Contracts;

/// <summary>One validated, normalized event, as the Worker stores it.</summary>
/// <param name="Id">The client's id (at most 64 characters) or a UUIDv7 the Api gave it.</param>
/// <param name="Timestamp">When it happened, UTC.</param>
/// <param name="Level">TRACE, DEBUG, INFO, WARN, ERROR or FATAL.</param>
/// <param name="Metadata">A JSON object, or absent.</param>
/// <param name="ReceivedAt">When the Api accepted it.</param>
public sealed record AcceptedLogEvent(
    string Id,
    DateTimeOffset Timestamp,
    string Level,
    string Message,
    string Source,
    JsonElement? Metadata,
    string? TraceId,
    string? SpanId,
    string? Exception,
    DateTimeOffset ReceivedAt);
