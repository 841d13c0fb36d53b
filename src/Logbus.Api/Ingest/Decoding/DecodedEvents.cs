using System.Text.Json;

namespace Logbus.Api.Ingest.Decoding;

/// <summary>
/// The events a body held, each with the source it gets when it names none, or why the body has the wrong shape. The
/// events point into the JSON documents they came from, so this owns those documents until it is disposed.
/// </summary>
public sealed class DecodedEvents : IDisposable
{
    private readonly IReadOnlyList<JsonDocument> _documents;

    private DecodedEvents(IReadOnlyList<(IncomingEvent, string?)> events, string? wrongShape, IReadOnlyList<JsonDocument> documents)
    {
        Events = events;
        WrongShape = wrongShape;
        _documents = documents;
    }

    public IReadOnlyList<(IncomingEvent Event, string? DefaultSource)> Events { get; }

    /// <summary>Set when the body is well-formed but not what the route takes; says what to send instead.</summary>
    public string? WrongShape { get; }

    public static DecodedEvents Of(IReadOnlyList<(IncomingEvent, string?)> events, params IReadOnlyList<JsonDocument> documents) =>
        new(events, null, documents);

    public static DecodedEvents Shape(string whatToSend, JsonDocument? document = null) =>
        new([], whatToSend, document is null ? [] : [document]);

    public void Dispose()
    {
        foreach (var document in _documents)
        {
            document.Dispose();
        }
    }
}
