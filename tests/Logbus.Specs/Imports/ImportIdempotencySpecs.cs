using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Worker;

namespace Logbus.Specs.Imports;

/// <summary>
/// An upload that broke off, retried with the same Idempotency-Key (at once, or after its import failed), imports the
/// file again, and the file is stored exactly once: lines without an id or a timestamp get the same ones every time.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ImportIdempotencySpecs
{
    private const int Lines = 20_000;

    [Fact]
    public async Task An_upload_aborted_after_320_KB_and_retried_at_once_with_the_same_key_imports_again_and_stores_the_file_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 4, apiOnSocket: true);

        await AbortedUploadAsync(pipeline, "retry-at-once");
        using var retry = await UploadAsync(pipeline, "retry-at-once");

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.False(retry.Headers.Contains("Idempotent-Replayed"), "the broken upload is not answered as done");
        var id = (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
        await AssertStoredOnceAsync(pipeline, id);
    }

    [Fact]
    public async Task An_upload_aborted_after_320_KB_and_uploaded_again_after_its_import_failed_stores_the_file_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 4, apiOnSocket: true);

        await AbortedUploadAsync(pipeline, "after-failed");
        await Eventually.TrueAsync(async () => (await pipeline.Api.Client.GetFromJsonAsync<JsonElement>("/api/imports")).EnumerateArray()
            .Any(i => i.GetProperty("state").GetString() == "Failed"), TimeSpan.FromMinutes(1), "the broken import failed");
        using var again = await UploadAsync(pipeline, "after-failed");

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        var id = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
        await AssertStoredOnceAsync(pipeline, id);

        using var replay = await UploadAsync(pipeline, "after-failed");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var replayed = await replay.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, replayed.GetProperty("importId").GetGuid());
        Assert.Equal(Lines, replayed.GetProperty("accepted").GetInt64());
        await pipeline.AssertExactlyAsync(Lines);
    }

    /// <summary>Lines with neither an id nor a timestamp: the Api gives them both.</summary>
    private static IEnumerable<string> Undated() =>
        Enumerable.Range(1, Lines).Select(line => $"{{\"level\":\"INFO\",\"source\":\"idempotency-spec\",\"message\":\"undated line {line}\"}}");

    private static async Task<HttpResponseMessage> UploadAsync(Pipeline pipeline, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports") { Content = ImportFiles.Content(Undated()) };
        request.Headers.Add("Idempotency-Key", key);
        return await pipeline.Api.Client.SendAsync(request);
    }

    /// <summary>Sends 320 KB of the file, waits until the Worker stored some of it, then breaks the connection off.</summary>
    private static async Task AbortedUploadAsync(Pipeline pipeline, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports")
        {
            Content = new AbortingContent(Undated(), 320 * 1024, () => pipeline.WaitForStoredAsync(1, TimeSpan.FromMinutes(1))),
        };
        request.Headers.Add("Idempotency-Key", key);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pipeline.Api.Client.SendAsync(request));
    }

    private static async Task AssertStoredOnceAsync(Pipeline pipeline, Guid id)
    {
        await Eventually.TrueAsync(async () =>
        {
            var status = await pipeline.Api.Client.GetFromJsonAsync<JsonElement>($"/api/imports/{id}");
            return status.GetProperty("state").GetString() == "Completed";
        }, TimeSpan.FromMinutes(3), $"import {id} completed");
        var final = await pipeline.Api.Client.GetFromJsonAsync<JsonElement>($"/api/imports/{id}");
        Assert.Equal(Lines, final.GetProperty("stored").GetInt64() + final.GetProperty("duplicates").GetInt64());
        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(Lines);
    }

    /// <summary>Writes lines until <paramref name="bytes"/> went out, waits for <paramref name="before"/>, then fails the request.</summary>
    private sealed class AbortingContent : HttpContent
    {
        private readonly IEnumerable<string> _lines;
        private readonly int _bytes;
        private readonly Func<Task> _before;

        public AbortingContent(IEnumerable<string> lines, int bytes, Func<Task> before)
        {
            _lines = lines;
            _bytes = bytes;
            _before = before;
            Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var sent = 0;
            foreach (var line in _lines)
            {
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                await stream.WriteAsync(bytes);
                sent += bytes.Length;
                if (sent >= _bytes)
                {
                    break;
                }
            }

            await stream.FlushAsync();
            await _before();
            throw new IOException("the client broke the upload off");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
