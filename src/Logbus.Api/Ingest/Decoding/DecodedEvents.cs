using System.Text.Json;

namespace Logbus.Api.Ingest.Decoding;

/// <summary>
/// The events a body held, each with the source it gets when it names none, or why the body has the wrong shape. The
/// events point into the JSON documents they came from, so this owns those documents (and the pooled bytes a document
/// was parsed from, when a decoder wrote them) until it is disposed.
/// </summary>
public sealed class DecodedEvents : IDisposable
{
    private readonly IReadOnlyList<JsonDocument> _documents;
    private readonly IDisposable? _bytes;

    private DecodedEvents(IReadOnlyList<(IncomingEvent, string?)> events, string? wrongShape, IReadOnlyList<JsonDocument> documents,
        IDisposable? bytes = null)
    {
        Events = events;
        WrongShape = wrongShape;
        _documents = documents;
        _bytes = bytes;
    }

    public IReadOnlyList<(IncomingEvent Event, string? DefaultSource)> Events { get; }

    /// <summary>Set when the body is well-formed but not what the route takes; says what to send instead.</summary>
    public string? WrongShape { get; }

    public static DecodedEvents Of(IReadOnlyList<(IncomingEvent, string?)> events, params IReadOnlyList<JsonDocument> documents) =>
        new(events, null, documents);

    /// <summary>Events of one document parsed over <paramref name="bytes"/>, which are released after the document.</summary>
    public static DecodedEvents Of(IReadOnlyList<(IncomingEvent, string?)> events, JsonDocument document, IDisposable bytes) =>
        new(events, null, [document], bytes);

    public static DecodedEvents Shape(string whatToSend, JsonDocument? document = null) =>
        new([], whatToSend, document is null ? [] : [document]);

    public void Dispose()
    {
        foreach (var document in _documents)
        {
            document.Dispose();
        }

        _bytes?.Dispose();
    }
}
