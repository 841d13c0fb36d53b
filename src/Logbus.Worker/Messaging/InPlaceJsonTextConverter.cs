using System.Text.Json;
using System.Text.Json.Serialization;
using Logbus.Contracts;
using Logbus.Messaging.Kafka.Serialization;

namespace Logbus.Worker.Messaging;

/// <summary>
/// Reads a <see cref="JsonText"/> (an event's metadata) as a slice of the record it is in, when the message is read
/// straight from the record's bytes (<see cref="RecordBeingRead"/>): no copy and no document per event, which was the
/// largest part of reading a chunk. Anywhere else (a message read from an envelope) it copies, as the contract's own
/// converter does.
/// </summary>
public sealed class InPlaceJsonTextConverter : JsonConverter<JsonText>
{
    private static readonly JsonTextConverter Copying = new();

    /// <summary>Options that read with this converter: a copy of <paramref name="json"/> with it first.</summary>
    public static JsonSerializerOptions AddTo(JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var options = new JsonSerializerOptions(json);
        options.Converters.Insert(0, new InPlaceJsonTextConverter());
        return options;
    }

    public override JsonText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (RecordBeingRead.Bytes is not { } record || reader.HasValueSequence || !StartsAt(record, ref reader))
        {
            return Copying.Read(ref reader, typeToConvert, options);
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var end = reader.BytesConsumed;
        if (end > record.Length || !EndsAt(record, (int)end, reader.TokenType))
        {
            throw new JsonException("A value of the record ends where the record does not say it does: it is not the record being read.");
        }

        return new JsonText(record.AsMemory(start, (int)end - start));
    }

    public override void Write(Utf8JsonWriter writer, JsonText value, JsonSerializerOptions options) => Copying.Write(writer, value, options);

    // Whether the reader reads the record: the current token's first bytes are the record's at the token's position.
    private static bool StartsAt(byte[] record, ref Utf8JsonReader reader)
    {
        var start = reader.TokenStartIndex;
        if (start >= record.Length)
        {
            return false;
        }

        return reader.TokenType switch
        {
            JsonTokenType.StartObject => record[start] == (byte)'{',
            JsonTokenType.StartArray => record[start] == (byte)'[',
            JsonTokenType.String => record[start] == (byte)'"' && record.AsSpan((int)start + 1).StartsWith(reader.ValueSpan),
            _ => record.AsSpan((int)start).StartsWith(reader.ValueSpan),
        };
    }

    // Whether the record's byte before end closes the value the reader ended on (a number or literal has nothing to close).
    private static bool EndsAt(byte[] record, int end, JsonTokenType last) => last switch
    {
        JsonTokenType.EndObject => record[end - 1] == (byte)'}',
        JsonTokenType.EndArray => record[end - 1] == (byte)']',
        JsonTokenType.String => record[end - 1] == (byte)'"',
        _ => true,
    };
}
