using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Logbus.Contracts;

/// <summary>
/// A JSON value carried as its UTF-8 text, as it was sent (an event's metadata). It is written into a message as it is
/// and kept as text where it is read, so it is not parsed into a document of its own on its way to PostgreSQL, which
/// takes the text; <see cref="Value"/> parses it for whoever asks.
/// </summary>
[JsonConverter(typeof(JsonTextConverter))]
public sealed class JsonText
{
    private JsonElement? _value;

    /// <param name="utf8">One well-formed JSON value: it is written into messages unchecked.</param>
    public JsonText(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>The value, parsed on first use.</summary>
    public JsonElement Value => _value ??= JsonSerializer.Deserialize<JsonElement>(Utf8.Span);

    /// <summary>The text of a parsed value as it was read, escapes kept; copied, so it outlives the element's document.</summary>
    public static JsonText FromJsonElement(JsonElement element) => new(JsonMarshal.GetRawUtf8Value(element).ToArray());

    public static implicit operator JsonText(JsonElement element) => FromJsonElement(element);

    public string GetRawText() => Encoding.UTF8.GetString(Utf8.Span);

    public override string ToString() => GetRawText();
}
