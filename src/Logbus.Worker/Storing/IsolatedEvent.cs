using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;

namespace Logbus.Worker.Storing;

/// <summary>
/// One event cut out of a chunk that could not store it: a <c>LogEventsAccepted</c> of that event alone, sent back to
/// <c>log-events</c> so it is tried on its own and, failing again, dead-lettered alone with its reason (and replayable
/// from there like any dead letter). It carries the event's JSON exactly as the original record held it: a value
/// System.Text.Json refuses to write (a lone surrogate escape) reaches the dead-letter topic unchanged.
/// </summary>
[MessageUrn("Logbus.Contracts:LogEventsAccepted")]
[JsonConverter(typeof(IsolatedEventWriter))]
public sealed class IsolatedEvent
{
    private IsolatedEvent(byte[] json) => Json = json;

    /// <summary>The record's value: the JSON of a chunk holding only this event.</summary>
    public byte[] Json { get; }

    /// <param name="chunk">The JSON of the chunk the event came in.</param>
    /// <param name="index">The event's position in the chunk's <c>events</c>.</param>
    /// <param name="importId">The chunk's import: the event still belongs to it, but to none of its numbered chunks.</param>
    public static IsolatedEvent From(ReadOnlyMemory<byte> chunk, int index, Guid? importId)
    {
        using var document = JsonDocument.Parse(chunk);
        var events = document.RootElement.EnumerateObject()
            .First(p => string.Equals(p.Name, "events", StringComparison.OrdinalIgnoreCase)).Value;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("chunkId", NewId.NextGuid());
            if (importId is { } id)
            {
                writer.WriteString("importId", id);
            }

            writer.WriteStartArray("events");
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(events[index]), skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new IsolatedEvent(buffer.WrittenSpan.ToArray());
    }

    private sealed class IsolatedEventWriter : JsonConverter<IsolatedEvent>
    {
        public override IsolatedEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("An isolated event is consumed as the LogEventsAccepted it is.");

        public override void Write(Utf8JsonWriter writer, IsolatedEvent value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json, skipInputValidation: true);
    }
}
