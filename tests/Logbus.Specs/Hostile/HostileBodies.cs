using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Logbus.Specs.Hostile;

/// <summary>The bodies of hostile requests: text as given, bytes that are not UTF-8, and compression bombs made on the fly.</summary>
internal static class HostileBodies
{
    public const long Gigabyte = 1024L * 1024 * 1024;

    public static Func<HttpContent> Text(string text, string contentType = "application/json") =>
        () => Content(Encoding.UTF8.GetBytes(text), contentType);

    /// <summary><paramref name="text"/> with its first <c>X</c> replaced by the byte 0xFF, which UTF-8 never contains.</summary>
    public static Func<HttpContent> NotUtf8(string text, string contentType = "application/json") => () =>
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        return Content(bytes, contentType);
    };

    /// <summary>
    /// A body compressed with <paramref name="encoding"/> that expands to <paramref name="prefix"/>, then
    /// <paramref name="length"/> times <paramref name="filler"/>, then <paramref name="suffix"/>: a few hundred KB on the
    /// wire, <paramref name="length"/> bytes once read. Compressed while it is sent, never held.
    /// </summary>
    public static Func<HttpContent> Bomb(string encoding, string contentType, string prefix, long length, byte filler = (byte)'a',
        string suffix = "") => () =>
    {
        var content = new CompressingContent(encoding, Encoding.UTF8.GetBytes(prefix), length, filler, Encoding.UTF8.GetBytes(suffix));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        content.Headers.ContentEncoding.Add(encoding);
        return content;
    };

    /// <summary>A metadata object nested <paramref name="depth"/> levels deep.</summary>
    public static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>A metadata object with <paramref name="count"/> keys.</summary>
    public static string ManyKeys(int count) => "{" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"k{i}\":{i}")) + "}";

    /// <summary>A CSV file: the header, then <paramref name="lines"/>, each line ending in a newline.</summary>
    public static Func<HttpContent> Csv(string header, IEnumerable<string> lines) =>
        Text(header + "\n" + string.Concat(lines.Select(l => l + "\n")), "text/csv");

    public static string Now => DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O");

    private static ByteArrayContent Content(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private sealed class CompressingContent(string encoding, byte[] prefix, long length, byte filler, byte[] suffix) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using Stream compressor = encoding switch
            {
                "gzip" => new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true),
                "br" => new BrotliStream(stream, CompressionLevel.Fastest, leaveOpen: true),
                _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "gzip or br"),
            };
            await compressor.WriteAsync(prefix);
            var block = new byte[1024 * 1024];
            Array.Fill(block, filler);
            for (var left = length; left > 0; left -= block.Length)
            {
                await compressor.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, left)));
            }

            await compressor.WriteAsync(suffix);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
