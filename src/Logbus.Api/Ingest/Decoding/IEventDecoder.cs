namespace Logbus.Api.Ingest.Decoding;

/// <summary>
/// One wire format: turns a request body into incoming events. Adding a format to Logbus is one decoder and one route
/// that maps the <see cref="IngestOutcome"/> to the format's own answer.
/// </summary>
public interface IEventDecoder
{
    /// <summary>
    /// Decodes <paramref name="body"/>. <paramref name="keySource"/> is the source the caller's API key pins, if any.
    /// Throws <see cref="System.Text.Json.JsonException"/> for a body that is not well-formed.
    /// </summary>
    DecodedEvents Decode(ReadOnlyMemory<byte> body, string? keySource);
}
