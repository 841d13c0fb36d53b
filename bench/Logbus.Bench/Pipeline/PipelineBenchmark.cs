using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Logbus.Bench.Data;
using Logbus.Bench.Measuring;
using Npgsql;

namespace Logbus.Bench.Pipeline;

/// <summary>
/// The whole pipeline in Release processes on the stack: events/s from HTTP batches to stored rows, and a 1M-line
/// NDJSON import from upload to Completed, each beside raw binary COPY of the same events into the same schema, measured
/// in the same run (the ceiling any path into <c>log_events</c> can reach on this machine).
/// </summary>
internal sealed class PipelineBenchmark : IBenchmark
{
    private const int Partitions = 12;
    private const int FixedRate = 5_000;

    // Lines without an id get one derived by the Api; a null id is left out rather than sent as null.
    private static readonly JsonSerializerOptions ImportLineJson = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public string Name => "pipeline";

    public string Description => "end-to-end events/s (HTTP batches → Kafka → stored) and a 200k-line import (1M with --full), beside raw COPY " +
        "(LOGBUS_BENCH_PIPELINE_EVENTS, LOGBUS_BENCH_IMPORT_LINES)";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var events = Setting("LOGBUS_BENCH_PIPELINE_EVENTS", 200_000);
        var lines = Setting("LOGBUS_BENCH_IMPORT_LINES", context.Full ? 1_000_000 : 200_000);
        await using var deployment = await BenchDeployment.CreateAsync(context, "pipeline", Partitions, cancellationToken);

        // The Api migrates the new database; the Worker starts once it is there.
        await using var api = await BenchService.StartAsync("Logbus.Api", deployment.Settings, cancellationToken);
        await using var worker = await BenchService.StartAsync("Logbus.Worker", deployment.Settings, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(deployment.ConnectionString);
        var end = DateTimeOffset.UtcNow;
        var report = new BenchmarkReport(Name);

        var copyRate = await RawCopyAsync(context, dataSource, events, end, cancellationToken);
        var counter = new StoredEvents([worker.BaseAddress], dataSource);
        var breakdown = await StatementBreakdown.CreateAsync(dataSource, cancellationToken);

        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        await breakdown.ResetAsync(cancellationToken);
        var (accepted, stored) = await IngestAsync(context, http, counter, events, end, cancellationToken);
        if (breakdown.Unavailable is null)
        {
            var kinds = await breakdown.ReadAsync(cancellationToken);
            report.Statements["HTTP batches"] = kinds;
            var table = StatementBreakdown.ToMarkdown($"HTTP batches of 1,000 → stored ({events:N0} events)", kinds, events);
            report.Notes.Add(table);
            context.Progress(table);
        }
        else
        {
            report.Notes.Add($"No statement breakdown: {breakdown.Unavailable}.");
        }

        var (rows, distinct) = await counter.VerifyAsync(events, null, cancellationToken);
        report.Notes.Add($"Stored events counted by {counter.Method}; after the clock stopped, SQL: {rows:N0} rows, {distinct:N0} distinct ids "
            + $"of {events:N0} sent.");
        report.Add($"HTTP batches of 1,000 (8 in flight) → stored, {events:N0} events", stored, "events/s", copyRate, "raw COPY");
        report.Add("HTTP batches accepted (committed to the outbox)", accepted, "events/s", copyRate, "raw COPY");
        var apiMemory = api.ResidentMegabytes();
        var workerMemory = worker.ResidentMegabytes();

        await Execute(dataSource, "TRUNCATE log_events", cancellationToken);
        var (p50, p99, rate) = await FixedRateAsync(context, http, dataSource, counter, FixedRate, TimeSpan.FromSeconds(20), end, cancellationToken);
        report.Add($"ingest-to-stored p50 at {rate:N0} events/s offered", p50, "ms");
        report.Add($"ingest-to-stored p99 at {rate:N0} events/s offered", p99, "ms");

        await Execute(dataSource, "TRUNCATE log_events", cancellationToken);
        var (uploaded, completed, state) = await ImportAsync(context, http, lines, end, idPrefix: null, cancellationToken);
        report.Add($"import of {lines:N0} NDJSON lines, upload", uploaded, "lines/s", copyRate, "raw COPY");
        report.Add($"import of {lines:N0} NDJSON lines, upload to {state}", completed, "lines/s", copyRate, "raw COPY");
        report.Notes.Add($"Release builds of Logbus.Api and Logbus.Worker as processes, the dev broker ({Partitions} partitions) and PostgreSQL of "
            + $"./logbus stack, all on this machine. Raw COPY: {events:N0} generated events by binary COPY into the same, indexed log_events "
            + $"(one connection). Resident memory after the batch run: Api {apiMemory:0} MB, Worker {workerMemory:0} MB; after the import: "
            + $"Api {api.ResidentMegabytes():0} MB, Worker {worker.ResidentMegabytes():0} MB.");
        return report;
    }

    internal static async Task<double> RawCopyAsync(BenchContext context, NpgsqlDataSource dataSource, int events, DateTimeOffset end,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        await EventCopy.WriteAsync(connection, EventGenerator.Generate(events, end, TimeSpan.FromHours(1), seed: 7),
            cancellationToken: cancellationToken);
        var rate = events / clock.Elapsed.TotalSeconds;
        context.Progress($"raw COPY: {events:N0} events at {rate:N0}/s");
        await Execute(dataSource, "TRUNCATE log_events", cancellationToken);
        return rate;
    }

    private static async Task<(double Accepted, double Stored)> IngestAsync(BenchContext context, HttpClient http, StoredEvents counter,
        int events,
        DateTimeOffset end, CancellationToken cancellationToken)
    {
        var batches = EventGenerator.Generate(events, end, TimeSpan.FromHours(1), seed: 11)
            .Select(e => new { id = e.Id, timestamp = e.Timestamp, level = e.Level, source = e.Source, message = e.Message, metadata = e.Metadata() })
            .Chunk(1000)
            .Select(b => JsonSerializer.SerializeToUtf8Bytes(b))
            .ToList();
        var before = await counter.CountAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (batch, token) =>
        {
            using var content = new ByteArrayContent(batch);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("/api/logs/batch", content, token);
            response.EnsureSuccessStatusCode();
        });
        var accepted = events / clock.Elapsed.TotalSeconds;
        context.Progress($"accepted {events:N0} events at {accepted:N0}/s; waiting until stored");
        await counter.WaitForAsync(context, before + events, "events stored", cancellationToken);
        var stored = events / clock.Elapsed.TotalSeconds;
        context.Progress($"stored {events:N0} events at {stored:N0}/s end to end");
        return (accepted, stored);
    }

    /// <summary>The lines of the benchmarks' NDJSON import: generated events in the single-event shape.</summary>
    internal static IEnumerable<string> ImportLines(int lines, DateTimeOffset end, string? idPrefix) =>
        EventGenerator.Generate(lines, end, TimeSpan.FromHours(6), seed: 13)
            .Select(e => JsonSerializer.Serialize(new { id = idPrefix is null ? null : idPrefix + e.Id, timestamp = e.Timestamp, level = e.Level,
                source = e.Source, message = e.Message, metadata = e.Metadata() }, ImportLineJson));

    /// <summary>
    /// Uploads a generated NDJSON file of <paramref name="lines"/> lines streamed as it is sent, then follows the import
    /// to its end, showing progress. Lines carry ids with <paramref name="idPrefix"/>, or none (the Api derives them).
    /// </summary>
    internal static async Task<(double Uploaded, double Completed, string State)> ImportAsync(BenchContext context, HttpClient http, int lines,
        DateTimeOffset end,
        string? idPrefix, CancellationToken cancellationToken)
    {
        var file = ImportLines(lines, end, idPrefix);
        var clock = Stopwatch.StartNew();
        using var content = new StreamedLines(file);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        using var response = await http.PostAsync("/api/imports?fileName=bench.ndjson", content, cancellationToken);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("importId").GetGuid();
        var uploaded = lines / clock.Elapsed.TotalSeconds;
        context.Progress($"import: uploaded {lines:N0} lines at {uploaded:N0}/s; waiting for the import to complete");
        var state = "";
        var lastShown = TimeSpan.Zero;
        await WaitAsync(context, async () =>
        {
            using var answer = await http.GetAsync($"/api/imports/{id}", cancellationToken);
            if (answer.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // A small file can be uploaded before the saga has recorded the import's start.
                return false;
            }

            answer.EnsureSuccessStatusCode();
            var status = await answer.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            state = status.GetProperty("state").GetString()!;
            if (clock.Elapsed - lastShown > TimeSpan.FromSeconds(5))
            {
                context.Progress($"import: {state}, {status.GetProperty("stored").GetInt64():N0} "
                    + $"of {status.GetProperty("accepted").GetInt64():N0} stored");
                lastShown = clock.Elapsed;
            }

            return state is not ("Receiving" or "Persisting");
        }, "import finished", cancellationToken);
        var completed = lines / clock.Elapsed.TotalSeconds;
        context.Progress($"import {state} at {completed:N0} lines/s");
        return (uploaded, completed, state);
    }

    /// <summary>
    /// Batches of 100 at a fixed rate; latency per event is its row's <c>stored_at</c> (the storing transaction's start)
    /// minus <c>received_at</c> (the Api accepting it), so it slightly flatters: the commit comes a few ms later.
    /// </summary>
    private static async Task<(double P50, double P99, double Rate)> FixedRateAsync(BenchContext context, HttpClient http,
        NpgsqlDataSource dataSource, StoredEvents counter, int rate,
        TimeSpan duration, DateTimeOffset end, CancellationToken cancellationToken)
    {
        const int batchSize = 100;
        var batches = (int)(rate * duration.TotalSeconds / batchSize);
        var interval = TimeSpan.FromSeconds((double)batchSize / rate);
        var payloads = EventGenerator.Generate(batches * batchSize, end, TimeSpan.FromHours(1), seed: 17)
            .Select(e => new { id = "fixed-" + e.Id, timestamp = e.Timestamp, level = e.Level, source = e.Source, message = e.Message })
            .Chunk(batchSize)
            .Select(b => JsonSerializer.SerializeToUtf8Bytes(b))
            .ToList();
        var before = await counter.CountAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var sends = new List<Task>();
        for (var i = 0; i < payloads.Count; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            var content = new ByteArrayContent(payloads[i]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            sends.Add(http.PostAsync("/api/logs/batch", content, cancellationToken).ContinueWith(t =>
            {
                content.Dispose();
                t.Result.EnsureSuccessStatusCode();
                t.Result.Dispose();
            }, cancellationToken, TaskContinuationOptions.None, TaskScheduler.Default));
        }

        await Task.WhenAll(sends);
        var offered = payloads.Count * batchSize / clock.Elapsed.TotalSeconds;
        await counter.WaitForAsync(context, before + (payloads.Count * batchSize), "fixed-rate events stored", cancellationToken);
        await counter.VerifyAsync(payloads.Count * batchSize, null, cancellationToken);
        await using var command = dataSource.CreateCommand(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latency), percentile_cont(0.99) WITHIN GROUP (ORDER BY latency) "
            + "FROM (SELECT extract(epoch FROM stored_at - received_at) * 1000 AS latency FROM log_events) l");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (p50, p99) = (reader.GetDouble(0), reader.GetDouble(1));
        context.Progress($"fixed rate {offered:N0} events/s: ingest-to-stored p50 {p50:N0} ms, p99 {p99:N0} ms");
        return (p50, p99, offered);
    }

    internal static async Task WaitAsync(BenchContext context, Func<Task<bool>> done, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(15);
        var lastReport = DateTime.UtcNow;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what} after 15 minutes.");
            }

            if (DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(10))
            {
                context.Progress($"still waiting for {what}");
                lastReport = DateTime.UtcNow;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    internal static async Task Execute(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>A request body written line by line as it is sent: the file is never in memory.</summary>
    internal sealed class StreamedLines(IEnumerable<string> lines) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 256 * 1024, leaveOpen: true);
            foreach (var line in lines)
            {
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
