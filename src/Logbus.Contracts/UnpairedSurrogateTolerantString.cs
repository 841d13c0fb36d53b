using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Logbus.Contracts;

/// <summary>
/// Reads a JSON string that escapes an unpaired surrogate (<c>"\ud800"</c>) as the .NET string it spells, where
/// System.Text.Json would fail the whole message. A chunk is read whole before any of its events can be looked at, so
/// one such event (from a producer that bypassed the Api's validation) would otherwise make every event of its chunk
/// unreadable; read, it is found not storable and dead-lettered alone. Text that is not valid UTF-8 still fails.
/// Writing is unchanged.
/// </summary>
public sealed class UnpairedSurrogateTolerantString : JsonConverter<string>
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException) when (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
        {
            if (Unescape(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan) is { } text)
            {
                return text;
            }

            throw;
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>The escaped JSON string's text, surrogates as escaped; null when the bytes between escapes are not UTF-8.</summary>
    private static string? Unescape(ReadOnlySpan<byte> escaped)
    {
        var text = new StringBuilder(escaped.Length);
        var i = 0;
        while (i < escaped.Length)
        {
            var next = escaped[i..].IndexOf((byte)'\\');
            var run = next < 0 ? escaped[i..] : escaped.Slice(i, next);
            try
            {
                text.Append(StrictUtf8.GetString(run));
            }
            catch (DecoderFallbackException)
            {
                return null;
            }

            i += run.Length;
            if (i >= escaped.Length)
            {
                break;
            }

            // The reader has validated the escapes: a known letter, and four hex digits after 'u'.
            var letter = (char)escaped[i + 1];
            if (letter == 'u')
            {
                text.Append((char)Convert.ToUInt16(Encoding.ASCII.GetString(escaped.Slice(i + 2, 4)), 16));
                i += 6;
                continue;
            }

            text.Append(letter switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => letter,
            });
            i += 2;
        }

        return text.ToString();
    }
}
