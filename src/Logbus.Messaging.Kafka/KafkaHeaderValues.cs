using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Logbus.Messaging.Kafka;

/// <summary>
/// Turns MassTransit header values into Kafka header bytes and back. Kafka headers are bytes; Logbus writes UTF-8
/// text so that any client (kcat, Java, a browser UI) can read them.
/// </summary>
internal static class KafkaHeaderValues
{
    public static byte[]? ToBytes(object? value) => value switch
    {
        null => null,
        byte[] bytes => bytes,
        string text => Encoding.UTF8.GetBytes(text),
        _ => AsString(value) is { } text ? Encoding.UTF8.GetBytes(text) : null,
    };

    public static string? AsString(object? value) => value switch
    {
        null => null,
        string text => text,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        Guid guid => guid.ToString("D"),
        Uri uri => uri.ToString(),
        DateTime time => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        // Structured values (e.g. baggage lists) travel as JSON rather than as a type name.
        _ => JsonSerializer.Serialize(value),
    };
}
