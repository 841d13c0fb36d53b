extern alias query;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Kafka;
using Logbus.Specs.Worker;

namespace Logbus.Specs.Imports;

/// <summary>Bulk imports end to end: the Api streams the file into chunks, the Worker stores them and its saga tracks them.</summary>
[Trait("Kind", "Chaos")]
public sealed class ImportSpecs
{
    private static readonly Dictionary<string, string?> QuickWatchdog = new()
    {
        ["Worker:Imports:WatchdogInterval"] = "00:00:01",
        ["Worker:Imports:CancelGrace"] = "00:00:01",
    };

    [Fact]
    public async Task A_200k_line_NDJSON_import_completes_with_exact_counts_and_its_status_is_on_the_Api_and_on_Query()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db);

        var response = await pipeline.Api.Client.PostAsync("/api/imports?fileName=big.ndjson", ImportFiles.Content(ImportFiles.Ndjson(200_000)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("importId").GetGuid();
        Assert.Equal($"/api/imports/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(200_000, accepted.GetProperty("accepted").GetInt64());

        var status = await FinalStatusAsync(pipeline, id, TimeSpan.FromMinutes(4));
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal((200_000L, 200_000L, 0L, 200_000L, 0L), Counts(status));
        Assert.Equal(200, status.GetProperty("chunksExpected").GetInt32());
        Assert.Equal("big.ndjson", status.GetProperty("fileName").GetString());
        await pipeline.AssertExactlyAsync(200_000);
        Assert.Equal(200_000L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE import_id = @id", ("id", id)));

        await using var queryService = new ServiceFactory<query::Program>(ServiceSettings.For(db));
        using var queryClient = queryService.CreateClient();
        var fromQuery = await queryClient.GetFromJsonAsync<JsonElement>($"/api/imports/{id}");
        Assert.Equal("Completed", fromQuery.GetProperty("state").GetString());
        var recent = await queryClient.GetFromJsonAsync<JsonElement>("/api/imports");
        Assert.Equal(id, recent.EnumerateArray().Single().GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await queryClient.GetAsync($"/api/imports/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await queryClient.DeleteAsync($"/api/imports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await pipeline.Api.Client.DeleteAsync($"/api/imports/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_gzipped_file_with_1_percent_bad_lines_ends_CompletedWithErrors_reporting_the_rejected_line_numbers()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 4);
        var bad = new Func<int, bool>(line => line % 100 == 37);

        var response = await pipeline.Api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(20_000, bad), gzip: true));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();

        var status = await FinalStatusAsync(pipeline, id, TimeSpan.FromMinutes(2));
        Assert.Equal("CompletedWithErrors", status.GetProperty("state").GetString());
        Assert.Equal((20_000L, 19_800L, 200L, 19_800L, 0L), Counts(status));
        var errors = status.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(100, errors.Count);
        Assert.Equal(Enumerable.Range(1, 20_000).Where(bad).Take(100).Select(l => (long)l), errors.Select(e => e.GetProperty("line").GetInt64()));
        Assert.Contains("message", errors.Select(e => e.GetProperty("reason").GetString())
            .First(r => !r!.Contains("JSON", StringComparison.Ordinal)));
        await pipeline.AssertExactlyAsync(19_800);

        // Everything about one import is keyed by it, from the Api's outbox and from the Worker's consumer outbox alike:
        // started, 20 chunks stored, received.
        var records = RawRecords.ReadAll(pipeline.Broker.BootstrapServers, pipeline.Topic + ".progress", 22, TimeSpan.FromSeconds(30));
        Assert.Equal(22, records.Count);
        Assert.All(records, r => Assert.Equal(id.ToString(), r.Message.Key));
    }

    [Fact]
    public async Task A_CSV_file_maps_its_columns_and_puts_the_others_into_metadata()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 2);
        string[] csv =
        [
            "timestamp,level,source,message,userId,region",
            "2026-11-20T10:00:00Z,Warning,billing,\"card declined, retrying\",u-1,eu",
            "2026-11-20T10:00:01Z,INFO,billing,\"multi\nline\",u-2,us",
            "2026-11-20T10:00:02Z,NOPE,billing,bad level,u-3,us",
        ];

        var response = await pipeline.Api.Client.PostAsync("/api/imports", ImportFiles.Content(csv, "text/csv"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();

        var status = await FinalStatusAsync(pipeline, id, TimeSpan.FromMinutes(1));
        Assert.Equal("CompletedWithErrors", status.GetProperty("state").GetString());
        Assert.Equal(5L, status.GetProperty("errors")[0].GetProperty("line").GetInt64());
        Assert.Equal("WARN|card declined, retrying|u-1", await db.ScalarAsync<string>(
            "SELECT level || '|' || message || '|' || (metadata->>'userId') FROM log_events " +
                "WHERE source = 'billing' AND metadata->>'region' = 'eu'"));
        Assert.Equal("multi\nline", await db.ScalarAsync<string>("SELECT message FROM log_events WHERE metadata->>'userId' = 'u-2'"));
    }

    [Fact]
    public async Task The_same_upload_with_the_same_Idempotency_Key_is_one_import()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 4);

        async Task<(HttpResponseMessage, Guid)> UploadAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports") { Content = ImportFiles.Content(ImportFiles.Ndjson(5_000)) };
            request.Headers.Add("Idempotency-Key", "nightly-2026-11-20");
            var response = await pipeline.Api.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (response, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid());
        }

        var (first, id) = await UploadAsync();
        var (second, again) = await UploadAsync();

        Assert.Equal(id, again);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        var status = await FinalStatusAsync(pipeline, id, TimeSpan.FromMinutes(2));
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Single((await pipeline.Api.Client.GetFromJsonAsync<JsonElement>("/api/imports")).EnumerateArray());
        await pipeline.AssertExactlyAsync(5_000);
    }

    [Fact]
    public async Task With_the_Worker_killed_mid_import_the_import_still_completes_exactly_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // Each chunk takes at least 100 ms to store (two at a time), so 90 chunks are still to come when the Worker is
        // killed: unthrottled, it once stored all 100 between the poll that saw 10,000 and the kill.
        await using var pipeline = await Pipeline.StartAsync(db, workerAsProcess: true,
            worker: new Dictionary<string, string?> { ["Worker:Storing:ThrottlePerChunk"] = "00:00:00.100" });
        var response = await pipeline.Api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(100_000)));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();

        await Eventually.TrueAsync(async () => await pipeline.StoredAsync() >= 10_000, TimeSpan.FromMinutes(2), "the Worker is storing the import");
        pipeline.WorkerProcess!.Kill();
        var storedWhenKilled = await pipeline.StoredAsync();
        await pipeline.WorkerProcess.StartAsync();

        var status = await FinalStatusAsync(pipeline, id, TimeSpan.FromMinutes(4));
        Assert.True(storedWhenKilled < 100_000, "the Worker was killed mid-import");
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal((100_000L, 100_000L, 0L, 100_000L, 0L), Counts(status));
        Assert.Equal(100, status.GetProperty("chunksStored").GetInt32());
        await pipeline.AssertExactlyAsync(100_000);
    }

    [Fact]
    public async Task After_a_Worker_crash_its_successor_reads_import_progress_without_waiting_out_Kafkas_default_session()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, workerAsProcess: true);
        // A completed import shows the Worker a member of the imports topic's group, as of log-events'.
        Assert.Equal("Completed", (await FinalStatusAsync(pipeline, await ImportAsync(pipeline, 1_000), TimeSpan.FromMinutes(1)))
            .GetProperty("state").GetString());

        // Killed, a member leaves no goodbye: its group waits out the session timeout before assigning its partitions to the
        // Worker that replaces it. Kafka's default is 45 s; the Worker's own is 10 s, for the imports topic as for log-events.
        pipeline.WorkerProcess!.Kill();
        var killed = DateTime.UtcNow;
        await pipeline.WorkerProcess.StartAsync();
        var id = await ImportAsync(pipeline, 2_000);

        // Well inside the 45 s, well past the 10 s.
        var status = await FinalStatusAsync(pipeline, id, killed + TimeSpan.FromSeconds(30) - DateTime.UtcNow);
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal((2_000L, 2_000L, 0L, 2_000L, 0L), Counts(status));
        await pipeline.AssertExactlyAsync(3_000);
    }

    [Fact]
    public async Task A_cancel_mid_import_stops_the_upload_and_skips_what_was_not_stored()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 4, worker: QuickWatchdog, apiOnSocket: true);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The client sends 30k lines, then waits for the cancel before sending the rest.
        var upload = pipeline.Api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(200_000),
            beforeLine: line => line == 30_001 ? cancelled.Task : Task.CompletedTask));
        var id = await Eventually.ValueAsync(async () =>
        {
            var imports = await pipeline.Api.Client.GetFromJsonAsync<JsonElement>("/api/imports");
            return imports.EnumerateArray().FirstOrDefault(i => i.GetProperty("stored").GetInt64() > 0) is { ValueKind: JsonValueKind.Object } import
                ? import.GetProperty("id").GetGuid()
                : (Guid?)null;
        }, TimeSpan.FromMinutes(1), "the import is storing");

        var cancel = await pipeline.Api.Client.DeleteAsync($"/api/imports/{id}");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        cancelled.SetResult();
        try
        {
            using var answer = await upload;
        }
        catch (HttpRequestException)
        {
            // The Api may answer and close before the client finished sending a body it no longer reads.
        }

        var status = await FinalStatusAsync(pipeline, id, TimeSpan.FromMinutes(2));
        Assert.Equal("Cancelled", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("linesRead").GetInt64() < 200_000, "the upload stopped early");
        var stored = status.GetProperty("stored").GetInt64();
        Assert.True(stored < 200_000);
        Assert.Equal(stored, await pipeline.StoredAsync());
        // DELETE is idempotent: asking again answers as the first time did.
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.Api.Client.DeleteAsync($"/api/imports/{id}")).StatusCode);
    }

    [Fact]
    public async Task Bad_uploads_get_a_clear_answer()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db);
        var unknownType = await api.Client.PostAsync("/api/imports", ImportFiles.Content(["x"], "application/pdf"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknownType.StatusCode);
        Assert.Equal("application/problem+json", unknownType.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.Client.GetAsync("/api/imports?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.DeleteAsync($"/api/imports/{Guid.NewGuid()}")).StatusCode);
    }

    private static (long LinesRead, long Accepted, long Rejected, long Stored, long Duplicates) Counts(JsonElement status) =>
        (status.GetProperty("linesRead").GetInt64(), status.GetProperty("accepted").GetInt64(), status.GetProperty("rejected").GetInt64(),
            status.GetProperty("stored").GetInt64(), status.GetProperty("duplicates").GetInt64());

    private static async Task<Guid> ImportAsync(Pipeline pipeline, int lines)
    {
        var response = await pipeline.Api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(lines)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
    }

    /// <summary>The import's status once it left Receiving/Persisting and every reported chunk settled.</summary>
    private static async Task<JsonElement> FinalStatusAsync(Pipeline pipeline, Guid id, TimeSpan timeout)
    {
        var last = "none yet";
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var response = await pipeline.Api.Client.GetAsync($"/api/imports/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var status = await response.Content.ReadFromJsonAsync<JsonElement>();
                last = status.GetRawText();
                var state = status.GetProperty("state").GetString();
                var settled = status.GetProperty("chunksExpected").ValueKind == JsonValueKind.Number
                              && status.GetProperty("chunksStored").GetInt32() == status.GetProperty("chunksExpected").GetInt32();
                if (state is not ("Receiving" or "Persisting") && (state != "Cancelled" || settled))
                {
                    return status;
                }
            }

            await Task.Delay(250);
        }

        Assert.Fail($"import {id} did not finish within {timeout}; its last status: {last}");
        return default;
    }
}
