using System.Text.Json;

namespace Logbus.Api.Ingest.Decoding;

/// <summary>Logbus's own JSON: one event object (<see cref="SingleObject"/>) or an array of them (<see cref="Array"/>).</summary>
public sealed class JsonEventDecoder : IEventDecoder
{
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static readonly JsonEventDecoder SingleObject = new(array: false);
    public static readonly JsonEventDecoder Array = new(array: true);

    private readonly bool _array;

    private JsonEventDecoder(bool array) => _array = array;

    public DecodedEvents Decode(ReadOnlyMemory<byte> body, string? keySource)
    {
        var document = JsonDocument.Parse(body, DocumentOptions);
        try
        {
            return Decode(document, keySource);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private DecodedEvents Decode(JsonDocument document, string? keySource)
    {
        var root = document.RootElement;
        if (!_array)
        {
            return root.ValueKind == JsonValueKind.Object
                ? DecodedEvents.Of([(IncomingEvent.FromJson(root), keySource)], document)
                : DecodedEvents.Shape("Send one event as a JSON object; send an array to the batch route.", document);
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            return DecodedEvents.Shape("Send a JSON array of events to the batch route.", document);
        }

        var events = new List<(IncomingEvent, string?)>(root.GetArrayLength());
        foreach (var item in root.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return DecodedEvents.Shape($"Every element of the array must be an event object; element {events.Count} is not.", document);
            }

            events.Add((IncomingEvent.FromJson(item), keySource));
        }

        return DecodedEvents.Of(events, document);
    }
}
