using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
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
/// <remarks>
/// An NDJSON or CLEF line is parsed from its UTF-8 bytes where the line reader holds them, and its event's fields refer
/// into that parse: a record is valid until the next one is read. A line that is not UTF-8 is rejected as such.
/// </remarks>
public sealed class ImportRecordReader(IOptions<IngestOptions> ingestOptions, IOptions<ImportUploadOptions>? importOptions = null)
{
    private static readonly JsonDocumentOptions Json = new() { MaxDepth = 64 };

    private readonly IngestOptions _options = ingestOptions.Value;
    private readonly int _maxLineLength = (importOptions?.Value ?? new ImportUploadOptions()).MaxLineLength;

    public async IAsyncEnumerable<ImportRecord> ReadAsync(Stream body, ImportFormat format, string? keySource,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (format == ImportFormat.Csv)
        {
            using var text = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
            await foreach (var record in ReadCsvAsync(text, keySource, cancellationToken))
            {
                yield return record;
            }

            yield break;
        }

        var clef = new ClefEventReader(_options);
        var lines = new Utf8LineReader(body, _maxLineLength);
        JsonDocument? parsed = null;
        try
        {
            while (await lines.ReadLineAsync(cancellationToken) is { } line)
            {
                // The record before is done with: its event referred into this document.
                parsed?.Dispose();
                parsed = null;
                if (line.TooLong)
                {
                    yield return new ImportRecord(line.Number, null, null, Utf8Line.TooLongReason(line.Length, _maxLineLength));
                    continue;
                }

                if (line.IsBlank)
                {
                    continue;
                }

                // The JSON parser checks UTF-8 only in what it decodes, and a client should hear of bytes that are not text
                // before a field is blamed for them.
                if (!Utf8.IsValid(line.Bytes!.Value.Span))
                {
                    yield return new ImportRecord(line.Number, null, null, "is not UTF-8 text (it holds bytes UTF-8 never has)");
                    continue;
                }

                yield return ParseJsonLine(line.Bytes!.Value, line.Number, format, clef, keySource, out parsed);
            }
        }
        finally
        {
            parsed?.Dispose();
        }
    }

    private ImportRecord ParseJsonLine(ReadOnlyMemory<byte> content, int line, ImportFormat format, ClefEventReader clef, string? keySource,
        out JsonDocument? parsed)
    {
        parsed = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, Json);
        }
        catch (JsonException e)
        {
            return NotJson(line, e);
        }

        parsed = document;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return new ImportRecord(line, null, null, "is not a JSON object");
        }

        try
        {
            if (format == ImportFormat.Clef)
            {
                var (incoming, source) = clef.ReadClef(document.RootElement);
                return new ImportRecord(line, incoming, source ?? keySource ?? _options.DefaultClefSource, null);
            }

            return new ImportRecord(line, IncomingEvent.FromJson(document.RootElement), keySource, null);
        }
        catch (JsonException e)
        {
            return NotJson(line, e);
        }
    }

    private static ImportRecord NotJson(int line, JsonException e) => new(line, null, null, "is not valid JSON: " + e.Message.Split(" Path:", 2)[0]);

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
