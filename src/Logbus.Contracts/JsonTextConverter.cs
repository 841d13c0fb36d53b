using System.Text.Json;
using System.Text.Json.Serialization;

namespace Logbus.Contracts;

/// <summary>
/// Writes a <see cref="JsonText"/> as the text it holds and reads one by copying the value's text. A reader that can
/// see the whole message it reads (the Worker's) registers its own converter that refers to the message's bytes instead.
/// </summary>
public sealed class JsonTextConverter : JsonConverter<JsonText>
{
    public override JsonText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return JsonText.FromJsonElement(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, JsonText value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
    }
}
