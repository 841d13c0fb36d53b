using System.Text.Json.Serialization;

namespace Logbus.Contracts;

/// <summary>One validated, normalized event, as the Worker stores it.</summary>
/// <param name="Id">The client's id (at most 64 characters) or a UUIDv7 the Api gave it.</param>
/// <param name="Timestamp">When it happened, UTC.</param>
/// <param name="Level">TRACE, DEBUG, INFO, WARN, ERROR or FATAL.</param>
/// <param name="Metadata">A JSON object, or absent, as the text it was sent as.</param>
/// <param name="ReceivedAt">When the Api accepted it.</param>
/// <remarks>Its text is read by <see cref="UnpairedSurrogateTolerantString"/>, so one bad event cannot make its chunk unreadable.</remarks>
public sealed record AcceptedLogEvent(
    [property: JsonConverter(typeof(UnpairedSurrogateTolerantString))] string Id,
    DateTimeOffset Timestamp,
    [property: JsonConverter(typeof(UnpairedSurrogateTolerantString))] string Level,
    [property: JsonConverter(typeof(UnpairedSurrogateTolerantString))] string Message,
    [property: JsonConverter(typeof(UnpairedSurrogateTolerantString))] string Source,
    JsonText? Metadata,
    [property: JsonConverter(typeof(UnpairedSurrogateTolerantString))] string? TraceId,
    [property: JsonConverter(typeof(UnpairedSurrogateTolerantString))] string? SpanId,
    [property: JsonConverter(typeof(UnpairedSurrogateTolerantString))] string? Exception,
    DateTimeOffset ReceivedAt);
