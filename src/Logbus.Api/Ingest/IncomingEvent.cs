using System.Runtime.InteropServices;
using System.Text.Json;

namespace Logbus.Api.Ingest;

/// <summary>
/// An event as a client sent it, before validation: each field is the raw JSON value (or a value a parser derived),
/// so the validator can say exactly which field is wrong and why.
/// </summary>
public sealed class IncomingEvent
{
    public JsonElement? Id { get; init; }

    public JsonElement? Timestamp { get; init; }

    public JsonElement? Level { get; init; }

    public JsonElement? Message { get; init; }

    public JsonElement? Source { get; init; }

    public JsonElement? Metadata { get; init; }

    public JsonElement? TraceId { get; init; }

    public JsonElement? SpanId { get; init; }

    public JsonElement? Exception { get; init; }

    /// <summary>Reads the fields of a JSON object sent to the JSON routes; names are matched case-insensitively.</summary>
    public static IncomingEvent FromJson(JsonElement value)
    {
        JsonElement? id = null, timestamp = null, level = null, message = null, source = null, metadata = null, traceId = null, spanId = null,
            exception = null;
        foreach (var property in value.EnumerateObject())
        {
            switch (FieldOf(property))
            {
                case "id": id = property.Value; break;
                case "timestamp": timestamp = property.Value; break;
                case "level": level = property.Value; break;
                case "message": message = property.Value; break;
                case "source": source = property.Value; break;
                case "metadata": metadata = property.Value; break;
                case "traceid": traceId = property.Value; break;
                case "spanid": spanId = property.Value; break;
                case "exception": exception = property.Value; break;
                default: break;
            }
        }

        return new IncomingEvent
        {
            Id = id, Timestamp = timestamp, Level = level, Message = message, Source = source,
            Metadata = metadata, TraceId = traceId, SpanId = spanId, Exception = exception,
        };
    }

    private static readonly string[] Fields = ["id", "timestamp", "level", "message", "source", "metadata", "traceid", "spanid", "exception"];

    /// <summary>
    /// The field a property names, lower-case, or null. A plain ASCII name (what clients send) is matched on its bytes
    /// as they are in the body: reading every name as a string and lower-casing it was two strings per property of every
    /// event. A name with an escape or beyond ASCII is read and lower-cased as before.
    /// </summary>
    private static string? FieldOf(JsonProperty property)
    {
        var name = JsonMarshal.GetRawUtf8PropertyName(property);
        if (name.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0 || name.Contains((byte)'\\'))
        {
            return NameOf(property)?.ToLowerInvariant();
        }

        foreach (var field in Fields)
        {
            if (name.Length == field.Length && System.Text.Ascii.EqualsIgnoreCase(name, field))
            {
                return field;
            }
        }

        return null;
    }

    // A name that is not valid Unicode (a lone surrogate escape) is none of the event's fields, so it is ignored like
    // any unknown one; reading it would throw.
    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
