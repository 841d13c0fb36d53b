using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// A message id for records that carry none (a producer outside MassTransit), derived from where the record sits:
/// the same record always gets the same id, so inbox deduplication downstream still recognises a redelivery.
/// </summary>
/// <remarks>An RFC 9562 version 8 UUID from the first 16 bytes of SHA-256 over <c>topic/partition/offset</c>.</remarks>
public static class DeterministicMessageId
{
    public static Guid For(string topic, int partition, long offset)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var text = string.Create(CultureInfo.InvariantCulture, $"kafka:{topic}/{partition}/{offset}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
