extern alias api;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using api::Logbus.Api.Imports;
using api::Logbus.Api.Ingest;
using api::Logbus.Api.Ingest.Decoding;
using api::Logbus.Api.Otlp;
using api::Logbus.Api.Seq;
using Google.Protobuf;
using Logbus.Bench.Data;
using Logbus.Bench.Load;
using Logbus.Bench.Pipeline;
using Logbus.Contracts;
using MassTransit.Serialization;
using Microsoft.Extensions.Options;

namespace Logbus.Bench.Parsers;

/// <summary>
/// In-process speed of the import CSV reader (rows/s, against reading the same text line by line), of the CLEF
/// message-template renderer (templates/s), of cutting a batch's accepted events into chunks (events/s, against
/// measuring each event twice by a serialized copy, as the Api did before 2026-12-07), of giving an event without one
/// its id (ids/s, against the runtime's <see cref="Guid.CreateVersion7(DateTimeOffset)"/>, as the Api did before) and of
/// reading an NDJSON import into events (lines/s, against reading each line as a string, parsing it and cloning the
/// parse, as the Api did before stop 42) and of decoding OTLP/HTTP protobuf requests into events (records/s, against the
/// same events sent as a JSON batch).
/// Needs no stack: <c>dotnet bench/Logbus.Bench/bin/Release/net10.0/Logbus.Bench.dll parsers</c>.
/// </summary>
internal sealed class ParsersBenchmark : IBenchmark
{
    private const int CsvRows = 200_000;
    private const int Templates = 500_000;
    private const int Rounds = 5;
    private const int ChunkedEvents = 200_000;
    private const int BatchSize = 1_000;
    private const int Ids = 1_000_000;
    private const int NdjsonLines = 100_000;
    private const int OtlpRequests = 200;
    private const int OtlpRecords = 512;

    public string Name => "parsers";

    public string Description =>
        $"CSV reader over {CsvRows:N0} rows, template renderer over {Templates:N0} templates, chunking {ChunkedEvents:N0} events, " +
        $"{NdjsonLines:N0} NDJSON lines, {OtlpRequests * OtlpRecords:N0} OTLP records, in process (best of {Rounds})";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var csv = CsvText(CsvRows);
        var csvRates = new List<double>();
        var lineRates = new List<double>();
        var templateRates = new List<double>();
        var batches = Batches();
        var chunked = new List<(double Rate, double BytesPerEvent)>();
        var copied = new List<(double Rate, double BytesPerEvent)>();
        var idRates = new List<double>();
        var runtimeIdRates = new List<double>();
        var ndjson = Encoding.UTF8.GetBytes(string.Join('\n', PipelineBenchmark.ImportLines(NdjsonLines, DateTimeOffset.UtcNow, null)) + "\n");
        var ndjsonReads = new List<(double Rate, double BytesPerEvent)>();
        var ndjsonTextReads = new List<(double Rate, double BytesPerEvent)>();
        var (protobufBodies, jsonBodies) = OtlpBodies();
        var otlpDecoder = new OtlpProtobufDecoder(new OtlpRecordMapper(Options.Create(new OtlpOptions())), Options.Create(new OtlpOptions()));
        var otlpReads = new List<(double Rate, double BytesPerEvent)>();
        var jsonReads = new List<(double Rate, double BytesPerEvent)>();
        for (var round = 1; round <= Rounds; round++)
        {
            csvRates.Add(await ReadCsvAsync(csv, cancellationToken));
            lineRates.Add(await ReadLinesAsync(csv, cancellationToken));
            templateRates.Add(RenderTemplates());
            chunked.Add(Chunk(batches, MeasureOnce));
            copied.Add(Chunk(batches, MeasureTwiceByCopy));
            idRates.Add(GenerateIds(EventIds.NewVersion7));
            runtimeIdRates.Add(GenerateIds(Guid.CreateVersion7));
            ndjsonReads.Add(OnThisThread(() => ReadNdjsonAsync(ndjson, cancellationToken), NdjsonLines));
            ndjsonTextReads.Add(OnThisThread(() => ReadNdjsonAsTextAsync(ndjson, cancellationToken), NdjsonLines));
            otlpReads.Add(Decode(protobufBodies, otlpDecoder));
            jsonReads.Add(Decode(jsonBodies, JsonEventDecoder.Array));
            context.Progress($"round {round}: CSV {csvRates[^1]:N0} rows/s, lines {lineRates[^1]:N0}/s, templates {templateRates[^1]:N0}/s, " +
                $"chunking {chunked[^1].Rate:N0} events/s ({chunked[^1].BytesPerEvent:N0} B allocated an event) against " +
                $"{copied[^1].Rate:N0} ({copied[^1].BytesPerEvent:N0} B), ids {idRates[^1]:N0}/s against {runtimeIdRates[^1]:N0}/s, " +
                $"NDJSON {ndjsonReads[^1].Rate:N0} lines/s ({ndjsonReads[^1].BytesPerEvent:N0} B a line) against " +
                $"{ndjsonTextReads[^1].Rate:N0} ({ndjsonTextReads[^1].BytesPerEvent:N0} B), OTLP protobuf {otlpReads[^1].Rate:N0} records/s " +
                $"({otlpReads[^1].BytesPerEvent:N0} B a record) against JSON {jsonReads[^1].Rate:N0} ({jsonReads[^1].BytesPerEvent:N0} B)");
        }

        return new BenchmarkReport(Name)
            .Add("CSV reader (6 columns, quoted commas, 1 row in 10 spans 2 lines)", csvRates.Max(), "rows/s",
                lineRates.Max(), "ReadLineAsync over the same text")
            .Add("message-template renderer (3 tokens: plain, format, alignment)", templateRates.Max(), "templates/s")
            .Add($"batch of {BatchSize:N0} accepted events measured once and cut into chunks", chunked.Max(c => c.Rate), "events/s",
                copied.Max(c => c.Rate), "each event measured twice by a serialized copy (before 2026-12-07)")
            .Add("  allocated per event while chunking", chunked.Min(c => c.BytesPerEvent), "B",
                copied.Min(c => c.BytesPerEvent), "measured by a serialized copy")
            .Add("ids for events sent without one (UUIDv7 as text)", idRates.Max(), "ids/s",
                runtimeIdRates.Max(), "Guid.CreateVersion7, the operating system's secure random bits (before 2026-12-07)")
            .Add($"NDJSON import read into events, {NdjsonLines:N0} lines of the pipeline's import", ndjsonReads.Max(r => r.Rate), "lines/s",
                ndjsonTextReads.Max(r => r.Rate), "each line read as a string, parsed and the parse cloned (before stop 42)")
            .Add("  allocated per NDJSON line", ndjsonReads.Min(r => r.BytesPerEvent), "B",
                ndjsonTextReads.Min(r => r.BytesPerEvent), "read as a string, parsed and cloned")
            .Add($"OTLP/HTTP protobuf requests of {OtlpRecords} records decoded into events", otlpReads.Max(r => r.Rate), "records/s",
                jsonReads.Max(r => r.Rate), "the same events as a JSON batch")
            .Add("  allocated per OTLP record", otlpReads.Min(r => r.BytesPerEvent), "B",
                jsonReads.Min(r => r.BytesPerEvent), "per event of the JSON batch");
    }

    /// <summary>The load's OTLP requests and, for the baseline, the same events as JSON batches of the batch route.</summary>
    private static (List<byte[]> Protobuf, List<byte[]> Json) OtlpBodies()
    {
        var events = EventGenerator.Generate(OtlpRequests * OtlpRecords, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), seed: 11)
            .Chunk(OtlpRecords).ToList();
        var protobuf = events.Select(batch => OtlpBatch.Request(batch).ToByteArray()).ToList();
        var json = events.Select(batch => JsonSerializer.SerializeToUtf8Bytes(batch.Select(e => new
        {
            timestamp = e.Timestamp, level = e.Level, message = e.Message, source = e.Source, traceId = e.TraceId,
            metadata = new { userId = e.UserId, region = e.Region, httpStatus = e.HttpStatus },
        }))).ToList();
        return (protobuf, json);
    }

    private static (double Rate, double BytesPerEvent) Decode(List<byte[]> bodies, IEventDecoder decoder)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var events = 0;
        foreach (var body in bodies)
        {
            using var decoded = decoder.Decode(body, "bench");
            events += decoded.Events.Count(e => e.Event.Message is { ValueKind: JsonValueKind.String });
        }

        return (Rate(events, watch, OtlpRequests * OtlpRecords), (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)events);
    }

    /// <summary>What an event without an id costs the validator: a UUIDv7 for its timestamp, as text.</summary>
    private static double GenerateIds(Func<DateTimeOffset, Guid> generate)
    {
        var at = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var length = 0;
        for (var i = 0; i < Ids; i++)
        {
            length += generate(at.AddTicks(i)).ToString().Length;
        }

        return length == Ids * 36 ? Ids / watch.Elapsed.TotalSeconds : throw new InvalidOperationException("an id that is not 36 characters");
    }

    /// <summary>The bench's generated events as the Api accepts them, in batches of <see cref="BatchSize"/>.</summary>
    private static List<AcceptedLogEvent[]> Batches()
    {
        var now = DateTimeOffset.UtcNow;
        return [.. EventGenerator.Generate(ChunkedEvents, now, TimeSpan.FromDays(1), seed: 7)
            .Select(g => new AcceptedLogEvent(g.Id, g.Timestamp, g.Level, g.Message, g.Source,
                JsonSerializer.SerializeToElement(g.Metadata()), g.TraceId, null, null, now))
            .Chunk(BatchSize)];
    }

    /// <summary>What the ingest path does per batch since 2026-12-07: each event measured once, without a copy, for both uses.</summary>
    private static int[] MeasureOnce(AcceptedLogEvent[] batch) => [.. batch.Select(EventChunker.SizeOf)];

    /// <summary>Before: the too-large check and the chunker each measured an event by serializing a copy of it.</summary>
    private static int[] MeasureTwiceByCopy(AcceptedLogEvent[] batch)
    {
        int[] ByCopy() => [.. batch.Select(e => JsonSerializer.SerializeToUtf8Bytes(e, SystemTextJsonMessageSerializer.Options).Length + 1)];
        GC.KeepAlive(ByCopy()); // the too-large check's measurement, thrown away
        return ByCopy(); // the chunker's own
    }

    private static (double Rate, double BytesPerEvent) Chunk(List<AcceptedLogEvent[]> batches, Func<AcceptedLogEvent[], int[]> measure)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var chunks = 0;
        foreach (var batch in batches)
        {
            chunks += EventChunker.Chunk(batch, maxEvents: BatchSize, maxBytes: 512 * 1024, measure(batch)).Count;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var events = batches.Sum(b => b.Length);
        return chunks >= batches.Count
            ? (events / seconds, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)events)
            : throw new InvalidOperationException($"{chunks} chunks from {batches.Count} batches");
    }

    private static string CsvText(int rows)
    {
        var text = new StringBuilder("timestamp,level,source,message,userId,region\n");
        var start = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < rows; i++)
        {
            var message = (i % 10) switch
            {
                0 => $"\"order {i} failed\nretrying\"",
                1 or 2 => $"\"card declined, \"\"{i}\"\" retrying\"",
                _ => $"user logged in after {i % 977} ms",
            };
            text.Append(CultureInfo.InvariantCulture,
                $"{start.AddMilliseconds(i):O},{(i % 7 == 0 ? "WARN" : "INFO")},billing,{message},u-{i % 5000},eu\n");
        }

        return text.ToString();
    }

    private static async Task<double> ReadCsvAsync(string csv, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var reader = new CsvRecordReader(new StringReader(csv));
        var rows = 0;
        while (await reader.ReadAsync(cancellationToken) is not null)
        {
            rows++;
        }

        return Rate(rows - 1, watch, CsvRows);
    }

    private static async Task<double> ReadLinesAsync(string csv, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var reader = new StringReader(csv);
        var lines = 0;
        while (await reader.ReadLineAsync(cancellationToken) is not null)
        {
            lines++;
        }

        return lines / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Runs <paramref name="read"/> and counts what it allocated on this thread. Over a MemoryStream every await completes
    /// at once, so the whole read runs here; one that did not is refused rather than counted short. The process-wide count
    /// (<see cref="GC.GetTotalAllocatedBytes"/>) once went backwards between two reads, and a round reported a negative figure.
    /// </summary>
    private static (double Rate, double BytesPerEvent) OnThisThread(Func<Task<double>> read, int events)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var task = read();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return task.IsCompletedSuccessfully
            ? (task.Result, bytes / (double)events)
            : throw new InvalidOperationException("A read over memory waited for something: what it allocated elsewhere would not be counted.");
    }

    /// <summary>The import's reader over an upload held in memory: each line parsed where it lies, its event read before the next.</summary>
    private static async Task<double> ReadNdjsonAsync(byte[] ndjson, CancellationToken cancellationToken)
    {
        var reader = new ImportRecordReader(Options.Create(new IngestOptions()));
        var watch = Stopwatch.StartNew();
        var events = 0;
        await foreach (var record in reader.ReadAsync(new MemoryStream(ndjson), ImportFormat.Ndjson, "bench", cancellationToken))
        {
            events += record.Event?.Message is { ValueKind: JsonValueKind.String } ? 1 : 0;
        }

        return Rate(events, watch, NdjsonLines);
    }

    /// <summary>The reader before stop 42: each line decoded into a string, parsed, and the parse cloned to outlive its document.</summary>
    private static async Task<double> ReadNdjsonAsTextAsync(byte[] ndjson, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var text = new StreamReader(new MemoryStream(ndjson), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        var events = 0;
        while (await text.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line, JsonEventDecoder.DocumentOptions);
            events += IncomingEvent.FromJson(document.RootElement.Clone()).Message is { ValueKind: JsonValueKind.String } ? 1 : 0;
        }

        return Rate(events, watch, NdjsonLines);
    }

    private static double RenderTemplates()
    {
        var properties = JsonDocument.Parse("""{"UserId":"bob","Amount":12.5,"Elapsed":42}""").RootElement;
        string[] renderings = ["12.50"];
        JsonElement? Property(string name) => properties.TryGetProperty(name, out var value) ? value : null;
        var watch = Stopwatch.StartNew();
        var length = 0L;
        for (var i = 0; i < Templates; i++)
        {
            length += MessageTemplateRenderer.Render("User {UserId} paid {Amount:0.00} in {Elapsed,6} ms", Property, renderings).Length;
        }

        return Rate(length > 0 ? Templates : 0, watch, Templates);
    }

    private static double Rate(int counted, Stopwatch watch, int expected) =>
        counted == expected ? counted / watch.Elapsed.TotalSeconds : throw new InvalidOperationException($"counted {counted}, expected {expected}");
}
