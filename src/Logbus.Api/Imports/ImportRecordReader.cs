using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Logbus.Api.Ingest;
using Logbus.Api.Seq;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Imports;

/// <summary>
/// Reads an import file record by record, as it streams in: NDJSON (the single-event shape per line), CLEF, or CSV
/// with a header row (timestamp, level, source, message, and id, traceId, spanId, exception if present; any other
/// column goes into metadata). Never holds the whole file, nor more of one line than <c>Imports:MaxLineLength</c>: a
/// longer line is a rejected record at its line number.
/// </summary>
public sealed class ImportRecordReader(IOptions<IngestOptions> ingestOptions, IOptions<ImportUploadOptions>? importOptions = null)
{
    private static readonly JsonDocumentOptions Json = new() { MaxDepth = 64 };

    private readonly IngestOptions _options = ingestOptions.Value;
    private readonly int _maxLineLength = (importOptions?.Value ?? new ImportUploadOptions()).MaxLineLength;

    public async IAsyncEnumerable<ImportRecord> ReadAsync(TextReader text, ImportFormat format, string? keySource,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (format == ImportFormat.Csv)
        {
            await foreach (var record in ReadCsvAsync(text, keySource, cancellationToken))
            {
                yield return record;
            }

            yield break;
        }

        var clef = new ClefEventReader(_options);
        var lines = new ImportLineReader(text, _maxLineLength);
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.TooLong)
            {
                yield return new ImportRecord(line.Number, null, null, ImportLine.TooLongReason(line.Length, _maxLineLength));
                continue;
            }

            if (string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }

            yield return ParseJsonLine(line.Text, line.Number, format, clef, keySource);
        }
    }

    private ImportRecord ParseJsonLine(string content, int line, ImportFormat format, ClefEventReader clef, string? keySource)
    {
        try
        {
            using var document = JsonDocument.Parse(content, Json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new ImportRecord(line, null, null, "is not a JSON object");
            }

            if (format == ImportFormat.Clef)
            {
                var (incoming, source) = clef.ReadClef(document.RootElement.Clone());
                return new ImportRecord(line, incoming, source ?? keySource ?? _options.DefaultClefSource, null);
            }

            return new ImportRecord(line, IncomingEvent.FromJson(document.RootElement.Clone()), keySource, null);
        }
        catch (JsonException e)
        {
            return new ImportRecord(line, null, null, "is not valid JSON: " + e.Message.Split(" Path:", 2)[0]);
        }
    }

    private async IAsyncEnumerable<ImportRecord> ReadCsvAsync(TextReader text, string? keySource,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var csv = new CsvRecordReader(text, _maxLineLength);
        if (await csv.ReadAsync(cancellationToken) is not { } header)
        {
            yield break;
        }

        if (header.Unreadable is not null)
        {
            yield return new ImportRecord(header.Line, null, null, header.Unreadable);
            yield break;
        }

        var columns = header.Fields.Select(f => f.Trim()).ToList();
        while (await csv.ReadAsync(cancellationToken) is { } record)
        {
            if (record.Unreadable is not null)
            {
                yield return new ImportRecord(record.Line, null, null, record.Unreadable);
                continue;
            }

            if (record.Fields.Count != columns.Count)
            {
                yield return new ImportRecord(record.Line, null, null, $"has {record.Fields.Count} fields where the header has {columns.Count}");
                continue;
            }

            yield return new ImportRecord(record.Line, FromCsv(columns, record.Fields), keySource, null);
        }
    }

    private static IncomingEvent FromCsv(List<string> columns, IReadOnlyList<string> fields)
    {
        JsonElement? id = null, timestamp = null, level = null, message = null, source = null, traceId = null, spanId = null, exception = null;
        var metadata = new List<(string Name, string Value)>();
        for (var i = 0; i < columns.Count; i++)
        {
            var value = fields[i];
            JsonElement? Text() => value.Length == 0 ? null : JsonSerializer.SerializeToElement(value);
            switch (columns[i].ToLowerInvariant())
            {
                case "id": id = Text(); break;
                case "timestamp" or "time" or "@t": timestamp = Text(); break;
                case "level" or "severity": level = Text(); break;
                case "message" or "msg": message = Text(); break;
                case "source": source = Text(); break;
                case "traceid": traceId = Text(); break;
                case "spanid": spanId = Text(); break;
                case "exception": exception = Text(); break;
                default: metadata.Add((columns[i], value)); break;
            }
        }

        return new IncomingEvent
        {
            Id = id, Timestamp = timestamp, Level = level, Message = message, Source = source,
            TraceId = traceId, SpanId = spanId, Exception = exception,
            Metadata = metadata.Count == 0 ? null : Object(metadata),
        };
    }

    private static JsonElement Object(List<(string Name, string Value)> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
