using System.Security.Cryptography;
using System.Text;

namespace Logbus.Api.Imports;

/// <summary>
/// Ids for import lines that bring none: derived from the upload (its Idempotency-Key, else its import id) and the
/// line number, so uploading the same file again under the same key gives every line the same id, and what the first
/// attempt stored is found duplicate instead of stored twice.
/// </summary>
public static class ImportedEventIds
{
    public static string For(string scope, long line)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{scope}\n{line}"), hash);
        // RFC 9562 version 8 (custom) UUID: the layout of a UUID, the bits of the hash.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString();
    }
}
