using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Integration")]
public sealed class BodyLimitSpecs
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task A_small_gzip_brotli_or_deflate_body_that_inflates_past_the_limit_is_a_413_naming_the_limit_on_every_ingest_route()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?> { ["Ingest:MaxBodyBytes"] = Limit.ToString() });
        // 16 MB of one byte: a few KB compressed, 256 times the limit inflated.
        var inflated = new byte[16 * 1024 * 1024];
        Array.Fill(inflated, (byte)' ');

        foreach (var encoding in new[] { "gzip", "br", "deflate" })
        {
            var bomb = Compress(inflated, encoding);
            Assert.True(bomb.Length < Limit, $"the {encoding} body ({bomb.Length} bytes) is under the limit");
            foreach (var (route, contentType) in new[]
            {
                ("/api/logs", "application/json"), ("/api/logs/batch", "application/json"),
                ("/api/events/raw?clef", "application/vnd.serilog.clef"), ("/api/events/raw", "application/json"),
                ("/ingest/clef", "application/vnd.serilog.clef"), ("/producer/api/logs/ingest", "application/json"),
                ("/producer/api/logs/batch", "application/json"),
            })
            {
                var content = new ByteArrayContent(bomb);
                content.Headers.ContentType = new(contentType);
                content.Headers.ContentEncoding.Add(encoding);

                using var response = await api.Client.PostAsync(route, content);

                Assert.True(HttpStatusCode.RequestEntityTooLarge == response.StatusCode,
                    $"{encoding} to {route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() ?? "";
                Assert.Contains("64 KB", detail, StringComparison.Ordinal);
                Assert.Contains("Ingest:MaxBodyBytes", detail, StringComparison.Ordinal);
            }
        }

        Assert.Empty(await api.OutboxEventsAsync());
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }
}
