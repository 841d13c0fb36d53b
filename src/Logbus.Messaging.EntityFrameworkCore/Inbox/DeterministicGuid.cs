using System.Security.Cryptography;
using System.Text;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// A name-based UUID (RFC 9562 version 8: the first 16 bytes of SHA-256 over the name): the same name gives the same
/// id in every process and run.
/// </summary>
public static class DeterministicGuid
{
    public static Guid Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
