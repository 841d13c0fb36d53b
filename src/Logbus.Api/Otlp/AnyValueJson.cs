using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Logbus.Api.Otlp.Wire;
using Google.Protobuf;

namespace Logbus.Api.Otlp;

/// <summary>
/// Writes OTLP attribute values as JSON keeping their kind: strings, booleans, integers and doubles as themselves,
/// arrays as arrays, key-value lists as objects (the first of a repeated key wins), bytes as base64, an empty value
/// as null. A double JSON cannot hold (NaN, ±Infinity) is written as its name.
/// </summary>
internal static class AnyValueJson
{
    public static void Write(Utf8JsonWriter writer, AnyValue? value)
    {
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.StringValue: writer.WriteStringValue(value!.StringValue); break;
            case AnyValue.ValueOneofCase.BoolValue: writer.WriteBooleanValue(value!.BoolValue); break;
            case AnyValue.ValueOneofCase.IntValue: writer.WriteNumberValue(value!.IntValue); break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value!.DoubleValue): writer.WriteNumberValue(value.DoubleValue); break;
            case AnyValue.ValueOneofCase.DoubleValue: writer.WriteStringValue(value!.DoubleValue.ToString(CultureInfo.InvariantCulture)); break;
            case AnyValue.ValueOneofCase.BytesValue: writer.WriteBase64StringValue(value!.BytesValue.Span); break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                foreach (var item in value!.ArrayValue.Values)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WriteStartObject();
                WriteProperties(writer, value!.KvlistValue.Values, skip: null);
                writer.WriteEndObject();
                break;
            default: writer.WriteNullValue(); break;
        }
    }

    /// <summary>Writes each key-value as a property; a key already written, or one <paramref name="skip"/> takes, is left out.</summary>
    public static void WriteProperties(Utf8JsonWriter writer, IEnumerable<KeyValue> values, Func<string, bool>? skip, HashSet<string>? written = null)
    {
        written ??= new HashSet<string>(StringComparer.Ordinal);
        foreach (var kv in values)
        {
            if ((skip?.Invoke(kv.Key) ?? false) || !written.Add(kv.Key))
            {
                continue;
            }

            writer.WritePropertyName(kv.Key);
            Write(writer, kv.Value);
        }
    }

    /// <summary>The value as a JSON element, for the message template renderer.</summary>
    public static JsonElement ToElement(AnyValue? value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            Write(writer, value);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 256 });
        return document.RootElement.Clone();
    }

    /// <summary>Lower-case hex of an id; null when absent or all zeroes (OTLP's "no id").</summary>
    public static string? Hex(ByteString id) =>
        id.IsEmpty || !id.Span.ContainsAnyExcept((byte)0) ? null : Convert.ToHexStringLower(id.Span);
}
