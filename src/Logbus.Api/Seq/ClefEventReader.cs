using System.Buffers;
using System.Text.Json;
using Logbus.Api.Ingest;
using Logbus.Storage.Writing;

namespace Logbus.Api.Seq;

/// <summary>
/// Maps Seq's wire formats onto the event model. CLEF (<c>application/vnd.serilog.clef</c>, one JSON object per line):
/// <c>@t</c> timestamp, <c>@m</c> message (else rendered from <c>@mt</c> with <c>@r</c>), <c>@l</c> level (default
/// Information), <c>@x</c> exception, <c>@tr</c>/<c>@sp</c> trace and span ids; <c>@mt</c>, <c>@i</c> and every other
/// property go into metadata, with <c>@@name</c> unescaped to <c>@name</c>. The classic format
/// (<c>{"Events":[{"Timestamp","Level","MessageTemplate","RenderedMessage","Exception","Properties"}]}</c>) maps the same way.
/// </summary>
public sealed class ClefEventReader(IngestOptions options)
{
    /// <summary>The event of one CLEF line, and the source its properties name (if any).</summary>
    public (IncomingEvent Event, string? Source) ReadClef(JsonElement line)
    {
        JsonElement? timestamp = null, message = null, template = null, level = null, exception = null, traceId = null, spanId = null;
        var renderings = new List<string>();
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in line.EnumerateObject())
        {
            switch (NameOf(p))
            {
                case "@t": timestamp = p.Value; break;
                case "@m": message = p.Value; break;
                case "@mt": template = p.Value; properties["@mt"] = p.Value; break;
                case "@l": level = p.Value; break;
                case "@x": exception = p.Value; break;
                case "@tr": traceId = p.Value; break;
                case "@sp": spanId = p.Value; break;
                case "@r":
                    if (p.Value.ValueKind == JsonValueKind.Array)
                    {
                        renderings.AddRange(p.Value.EnumerateArray()
                            .Select(r => r.ValueKind == JsonValueKind.String ? StorableValues.StringOf(r) ?? r.GetRawText() : r.GetRawText()));
                    }

                    break;
                default:
                    var name = NameOf(p);
                    properties[name.StartsWith("@@", StringComparison.Ordinal) ? name[1..] : name] = p.Value;
                    break;
            }
        }

        return Build(timestamp, message, template, level, exception, traceId, spanId, renderings, properties);
    }

    /// <summary>One event of the classic <c>{"Events":[…]}</c> format.</summary>
    public (IncomingEvent Event, string? Source) ReadClassic(JsonElement e)
    {
        JsonElement? timestamp = null, message = null, template = null, level = null, exception = null;
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var renderings = new List<string>();
        foreach (var p in e.EnumerateObject())
        {
            switch (NameOf(p))
            {
                case "Timestamp": timestamp = p.Value; break;
                case "RenderedMessage": message = p.Value; break;
                case "MessageTemplate": template = p.Value; properties["@mt"] = p.Value; break;
                case "Level": level = p.Value; break;
                case "Exception": exception = p.Value; break;
                case "Properties" when p.Value.ValueKind == JsonValueKind.Object:
                    foreach (var property in p.Value.EnumerateObject())
                    {
                        properties[NameOf(property)] = property.Value;
                    }

                    break;
                default: break;
            }
        }

        properties.TryGetValue("TraceId", out var trace);
        properties.TryGetValue("SpanId", out var span);
        return Build(timestamp, message, template, level, exception,
            trace.ValueKind == JsonValueKind.String ? trace : null, span.ValueKind == JsonValueKind.String ? span : null, renderings, properties);
    }

    private (IncomingEvent, string?) Build(
        JsonElement? timestamp, JsonElement? message, JsonElement? template, JsonElement? level, JsonElement? exception,
        JsonElement? traceId, JsonElement? spanId, List<string> renderings, Dictionary<string, JsonElement> properties)
    {
        if (message is null && template is { ValueKind: JsonValueKind.String } t)
        {
            // A template that is not valid Unicode becomes the message as it is, for the validator to refuse by name.
            message = StorableValues.StringOf(t) is { } text
                ? JsonSerializer.SerializeToElement(MessageTemplateRenderer.Render(text, name => properties.TryGetValue(name, out var v) ? v : null,
                    renderings))
                : t;
        }

        var source = options.ClefSourceProperties
            .Select(name => properties.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? StorableValues.StringOf(v) : null)
            .FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
        var incoming = new IncomingEvent
        {
            Timestamp = timestamp,
            Message = message,
            Level = level ?? JsonSerializer.SerializeToElement("Information"),
            Exception = exception,
            TraceId = traceId,
            SpanId = spanId,
            Metadata = properties.Count == 0 ? null : ToObject(properties),
        };
        return (incoming, source);
    }

    /// <summary>
    /// A property's name. One that is not valid Unicode (a lone surrogate escape) refuses the line as JSON, which the
    /// CLEF routes answer with a 400 naming the line and imports report as a rejected line, rather than failing the
    /// whole request or import.
    /// </summary>
    private static string NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new JsonException("a property name is not valid Unicode (it is not UTF-8 or holds a lone surrogate escape)", e);
        }
    }

    private static JsonElement ToObject(Dictionary<string, JsonElement> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WritePropertyName(name);
                try
                {
                    value.WriteTo(writer);
                }
                catch (InvalidOperationException e)
                {
                    // Said as a refusal of the line, as for a name, rather than failing the request or the whole import.
                    throw new JsonException($"the property '{name}' holds text that is not valid Unicode (a lone surrogate escape)", e);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
