using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Logbus.Specs.Imports;

/// <summary>Import files for specs, written as a stream (never a string of the whole file), and an upload helper.</summary>
public static class ImportFiles
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// NDJSON lines numbered from 1; lines for which <paramref name="bad"/> is true are broken, alternately not JSON
    /// and without a message. Lines carry timestamps and no id (the Api derives one).
    /// </summary>
    public static IEnumerable<string> Ndjson(int lines, Func<int, bool>? bad = null)
    {
        for (var line = 1; line <= lines; line++)
        {
            if (bad?.Invoke(line) == true)
            {
                yield return line % 2 == 0 ? "{\"message\": \"cut off"
                    : JsonSerializer.Serialize(new { timestamp = Start.AddSeconds(line), source = "import-spec" });
                continue;
            }

            yield return JsonSerializer.Serialize(new
            {
                timestamp = Start.AddMilliseconds(line * 7L),
                level = (line % 10) switch { 0 => "ERROR", 1 or 2 => "WARN", _ => "INFO" },
                source = "import-spec",
                message = $"imported line {line}",
                metadata = new { line },
            });
        }
    }

    /// <summary>A request body that writes the lines as the request is sent, optionally gzip-compressed.</summary>
    public static HttpContent Content(IEnumerable<string> lines, string contentType = "application/x-ndjson", bool gzip = false, Func<int,
        Task>? beforeLine = null)
    {
        var content = new LineStreamContent(lines, gzip, beforeLine);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return content;
    }

    private sealed class LineStreamContent(IEnumerable<string> lines, bool gzip, Func<int, Task>? beforeLine) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            // The HTTP stack owns the request stream: only the gzip stream around it is closed (after the writer flushed).
            await using var compressed = gzip ? new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true) : null;
            var target = (Stream?)compressed ?? stream;
            await using var writer = new StreamWriter(target, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
            var number = 0;
            foreach (var line in lines)
            {
                number++;
                if (beforeLine?.Invoke(number) is { IsCompleted: false } wait)
                {
                    // What was written so far goes out before the pause.
                    await writer.FlushAsync();
                    await target.FlushAsync();
                    await wait;
                }

                await writer.WriteAsync(line);
                await writer.WriteAsync('\n');
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
