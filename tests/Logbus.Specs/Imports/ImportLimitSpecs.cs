using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Infrastructure;
using Logbus.Testing;

namespace Logbus.Specs.Imports;

/// <summary>
/// What an upload may cost the Api, and what it answers at once: a line over the bound is rejected as it streams, the
/// upload's size is bounded before and after decompression, uploads are limited at once and per client, and the
/// status and its key's outcome exist from the moment the 202 is sent.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ImportLimitSpecs
{
    [Fact]
    public async Task A_gzip_upload_of_one_1_GB_line_rejects_that_line_at_its_number_and_stores_the_rest_with_memory_flat()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);
        const long length = 1L << 30;
        using var content = new HugeLineContent(length, [.. ImportFiles.Ndjson(10)]);

        var memory = new PeakWorkingSet();
        var response = await api.Client.PostAsync("/api/imports", content);
        var growth = await memory.StopAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((11L, 10L, 1L), (accepted.GetProperty("linesRead").GetInt64(), accepted.GetProperty("accepted").GetInt64(),
            accepted.GetProperty("rejected").GetInt64()));
        Assert.Equal(10, await OutboxEventCountAsync(db));
        Assert.True(growth < 200L * 1024 * 1024, $"the Api's process grew by {growth:N0} bytes");
    }

    [Fact]
    public async Task A_CSV_with_an_unterminated_quote_on_line_2_then_100k_good_lines_rejects_line_2_and_commits_the_rest()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);
        var lines = new[] { "timestamp,level,source,message", "2026-11-20T10:00:00Z,INFO,csv,\"never closed" }
            .Concat(Enumerable.Range(3, 100_000).Select(line => $"2026-11-20T10:00:01Z,INFO,csv,line {line}"));

        var response = await api.Client.PostAsync("/api/imports", ImportFiles.Content(lines, "text/csv", gzip: true));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((100_000L, 1L), (accepted.GetProperty("accepted").GetInt64(), accepted.GetProperty("rejected").GetInt64()));
        Assert.Equal(100_000, await OutboxEventCountAsync(db));
    }

    [Fact]
    public async Task An_upload_over_the_size_limits_is_a_413_naming_the_limit_before_and_after_decompression()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?>
        {
            ["Imports:MaxUploadBytes"] = "50000",
            ["Imports:MaxDecompressedBytes"] = "100000",
        });

        var declared = await api.Client.PostAsync("/api/imports", new ByteArrayContent(new byte[60_000])
            { Headers = { ContentType = new MediaTypeHeaderValue("application/x-ndjson") } });
        await AssertProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "Imports:MaxUploadBytes");
        Assert.Equal(0, await OutboxEventCountAsync(db));

        var streamed = await api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(1_000)));
        await AssertProblemAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "Imports:MaxUploadBytes");

        // Compressed it is small; unpacked it is over the second limit.
        var unpacked = await api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(1_000), gzip: true));
        await AssertProblemAsync(unpacked, HttpStatusCode.RequestEntityTooLarge, "Imports:MaxDecompressedBytes");
    }

    [Fact]
    public async Task Uploads_over_the_bulkhead_or_the_clients_rate_are_429s_naming_the_limit_with_Retry_After()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?>
        {
            ["Imports:MaxConcurrentUploads"] = "1",
            ["Imports:UploadsPerMinutePerClient"] = "3",
        }, realPort: FreePort.Next());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(100),
            beforeLine: line => line == 2 ? release.Task : Task.CompletedTask));
        await Eventually.TrueAsync(async () => (await api.Client.GetFromJsonAsync<JsonElement>("/api/imports")).GetArrayLength() == 1,
            TimeSpan.FromSeconds(30), "the first upload is being read");

        var second = await api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(1)));
        await AssertProblemAsync(second, HttpStatusCode.TooManyRequests, "Imports:MaxConcurrentUploads");
        Assert.NotNull(second.Headers.RetryAfter);
        release.SetResult();
        Assert.Equal(HttpStatusCode.Accepted, (await first).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(1)))).StatusCode);
        var fourth = await api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(1)));
        await AssertProblemAsync(fourth, HttpStatusCode.TooManyRequests, "Imports:UploadsPerMinutePerClient");
        Assert.NotNull(fourth.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_status_and_cancel_answer_from_the_moment_of_the_202_and_a_replay_answers_with_the_counts()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // No Worker: the saga has not seen the import yet, as in the first seconds after an upload.
        await using var api = ApiHost.Start(db);

        var first = await UploadAsync(api, "status-now", "honest.ndjson");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();

        var status = await api.Client.GetAsync($"/api/imports/{id}");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var body = await status.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Receiving", "honest.ndjson"), (body.GetProperty("state").GetString(), body.GetProperty("fileName").GetString()));

        var replay = await UploadAsync(api, "status-now", "honest.ndjson");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var replayed = await replay.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, replayed.GetProperty("importId").GetGuid());
        Assert.Equal((7L, 7L, 0L), (replayed.GetProperty("linesRead").GetInt64(), replayed.GetProperty("accepted").GetInt64(),
            replayed.GetProperty("rejected").GetInt64()));

        Assert.Equal(HttpStatusCode.Accepted, (await api.Client.DeleteAsync($"/api/imports/{id}")).StatusCode);
    }

    [Fact]
    public async Task Idempotency_keys_are_scoped_per_API_key()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "team-a",
            ["ApiKeys:Keys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData("a-secret"u8)),
            ["ApiKeys:Keys:1:Name"] = "team-b",
            ["ApiKeys:Keys:1:Sha256"] = Convert.ToHexStringLower(SHA256.HashData("b-secret"u8)),
        });

        var a = await UploadAsync(api, "nightly", "a.ndjson", "a-secret");
        var b = await UploadAsync(api, "nightly", "b.ndjson", "b-secret");
        var aAgain = await UploadAsync(api, "nightly", "a.ndjson", "a-secret");

        Assert.False(b.Headers.Contains("Idempotent-Replayed"));
        var first = await ImportIdAsync(a);
        Assert.NotEqual(first, await ImportIdAsync(b));
        Assert.Equal("true", aAgain.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first, await ImportIdAsync(aAgain));
        Assert.Equal(14, await OutboxEventCountAsync(db));
    }

    private static async Task<HttpResponseMessage> UploadAsync(ApiHost api, string key, string fileName, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/imports?fileName={fileName}")
        {
            Content = ImportFiles.Content(ImportFiles.Ndjson(7)),
        };
        request.Headers.Add("Idempotency-Key", key);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await api.Client.SendAsync(request);
    }

    /// <summary>Events in the chunks the Api committed to its outbox (beside them: the import's own messages).</summary>
    private static Task<long> OutboxEventCountAsync(SpecDatabase db) =>
        db.ScalarAsync<long>("SELECT coalesce(sum(jsonb_array_length(body::jsonb -> 'events')), 0)::bigint " +
            "FROM messaging.outbox_message WHERE jsonb_typeof(body::jsonb -> 'events') = 'array'");

    private static async Task<Guid> ImportIdAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string setting)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(setting, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Gzip of one line of <c>a</c>s without a line break, then a few good lines, made as it is sent.</summary>
    private sealed class HugeLineContent : HttpContent
    {
        private readonly long _length;
        private readonly string[] _after;

        public HugeLineContent(long length, string[] after)
        {
            _length = length;
            _after = after;
            Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            Headers.ContentEncoding.Add("gzip");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            var block = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
            for (var left = _length; left > 0; left -= block.Length)
            {
                await gzip.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, left)));
            }

            await gzip.WriteAsync(Encoding.UTF8.GetBytes("\n" + string.Join('\n', _after) + "\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Samples this process's resident memory (the Api runs in it) until stopped: how far it rose above where it began.</summary>
    private sealed class PeakWorkingSet
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<long> _sampling;

        public PeakWorkingSet()
        {
            using var process = Process.GetCurrentProcess();
            var start = process.WorkingSet64;
            _sampling = Task.Run(async () =>
            {
                var peak = start;
                using var self = Process.GetCurrentProcess();
                while (!_stop.IsCancellationRequested)
                {
                    self.Refresh();
                    peak = Math.Max(peak, self.WorkingSet64);
                    await Task.Delay(50, CancellationToken.None);
                }

                return peak - start;
            });
        }

        public async Task<long> StopAsync()
        {
            await _stop.CancelAsync();
            return await _sampling;
        }
    }
}
