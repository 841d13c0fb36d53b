using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Logbus.Api.Ingest;
using Logbus.Api.Ingest.Decoding;
using Logbus.Api.Otlp.Wire;
using Logbus.Api.Seq;
using Microsoft.Extensions.Options;
using Serilog.Parsing;

namespace Logbus.Api.Otlp;

/// <summary>
/// Maps OTLP log records onto Logbus events, written as Logbus JSON so the one validator judges every format alike:
/// <c>time_unix_nano</c> (else <c>observed_time_unix_nano</c>) → timestamp; <c>severity_number</c> bands (else
/// <c>severity_text</c>) → level; the body → message, rendered from <c>{OriginalFormat}</c> and the attributes when
/// the record carries that template (as CLEF's <c>@mt</c>); <c>exception.*</c> → exception; trace and span ids → hex;
/// the resource's <c>service.name</c> → source. Every other attribute, the resource's attributes (<c>resource</c>), the
/// scope (<c>scope</c>) and <c>event_name</c> (<c>eventName</c>) → metadata, keeping each value's kind.
/// </summary>
public sealed class OtlpRecordMapper(IOptions<OtlpOptions> options)
{
    public const string OriginalFormat = "{OriginalFormat}";

    private static readonly string[] Levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };
    private static readonly MessageTemplateParser TemplateParser = new();

    private const string Setting = "Otlp:MaxRecordsPerRequest";

    private readonly OtlpOptions _options = options.Value;

    public DecodedEvents Map(ExportLogsServiceRequest request, string? keySource)
    {
        var count = request.ResourceLogs.Sum(r => r.ScopeLogs.Sum(s => (long)s.LogRecords.Count));
        if (count > _options.MaxRecordsPerRequest)
        {
            throw new UndecodableBodyException(string.Create(CultureInfo.InvariantCulture,
                $"The request carries {count} log records; at most {_options.MaxRecordsPerRequest} are taken per request (setting {Setting})."));
        }

        var defaultSource = keySource ?? _options.DefaultSource;
        // A request's 512 records are a few hundred kB of JSON: a buffer grown by doubling left about 1 MB of garbage a
        // request, most of it in the large object heap. A pooled one goes back when the decoded events are disposed.
        var buffer = new PooledBodyBuffer(64 * 1024);
        JsonDocument? document = null;
        try
        {
            WriteEvents(buffer, request);
            document = JsonDocument.Parse(buffer.WrittenMemory, DocumentOptions);
            return DecodedEvents.Of([.. document.RootElement.EnumerateArray().Select(e => (IncomingEvent.FromJson(e), (string?)defaultSource))],
                document, buffer);
        }
        catch
        {
            document?.Dispose();
            buffer.Dispose();
            throw;
        }
    }

    private static void WriteEvents(PooledBodyBuffer buffer, ExportLogsServiceRequest request)
    {
        // Which keys an object got, to write each once: one set per level, cleared for each object, not made per record.
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var innerKeys = new HashSet<string>(StringComparer.Ordinal);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartArray();
            foreach (var resourceLogs in request.ResourceLogs)
            {
                var service = resourceLogs.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value;
                var source = service?.ValueCase == AnyValue.ValueOneofCase.StringValue && !string.IsNullOrWhiteSpace(service.StringValue)
                    ? service.StringValue
                    : null;
                foreach (var scopeLogs in resourceLogs.ScopeLogs)
                {
                    foreach (var record in scopeLogs.LogRecords)
                    {
                        WriteEvent(writer, record, source, resourceLogs.Resource, scopeLogs.Scope, keys, innerKeys);
                    }
                }
            }

            writer.WriteEndArray();
        }
    }

    private static void WriteEvent(Utf8JsonWriter writer, LogRecord record, string? source, Wire.Resource? resource, InstrumentationScope? scope,
        HashSet<string> keys, HashSet<string> innerKeys)
    {
        writer.WriteStartObject();
        var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        if (time != 0)
        {
            // ISO 8601 with the offset, written straight into the buffer.
            writer.WriteString("timestamp", DateTimeOffset.UnixEpoch.AddTicks((long)(time / 100)));
        }

        if (LevelOf(record) is { } level)
        {
            writer.WriteString("level", level);
        }

        if (MessageOf(record) is { } message)
        {
            writer.WriteString("message", message);
        }

        if (source is not null)
        {
            writer.WriteString("source", source);
        }

        if (AnyValueJson.Hex(record.TraceId) is { } traceId)
        {
            writer.WriteString("traceId", traceId);
        }

        if (AnyValueJson.Hex(record.SpanId) is { } spanId)
        {
            writer.WriteString("spanId", spanId);
        }

        if (ExceptionOf(record) is { } exception)
        {
            writer.WriteString("exception", exception);
        }

        writer.WritePropertyName("metadata");
        WriteMetadata(writer, record, resource, scope, keys, innerKeys);
        writer.WriteEndObject();
    }

    private static void WriteMetadata(Utf8JsonWriter writer, LogRecord record, Wire.Resource? resource, InstrumentationScope? scope,
        HashSet<string> written, HashSet<string> innerKeys)
    {
        writer.WriteStartObject();
        written.Clear();
        AnyValueJson.WriteProperties(writer, record.Attributes, key => key.StartsWith("exception.", StringComparison.Ordinal), written);
        if (resource is { Attributes.Count: > 0 } && written.Add("resource"))
        {
            writer.WriteStartObject("resource");
            innerKeys.Clear();
            AnyValueJson.WriteProperties(writer, resource.Attributes, skip: null, innerKeys);
            writer.WriteEndObject();
        }

        if (scope is not null && (scope.Name.Length > 0 || scope.Version.Length > 0 || scope.Attributes.Count > 0) && written.Add("scope"))
        {
            writer.WriteStartObject("scope");
            WriteIfSet(writer, "name", scope.Name);
            WriteIfSet(writer, "version", scope.Version);
            if (scope.Attributes.Count > 0)
            {
                writer.WriteStartObject("attributes");
                innerKeys.Clear();
                AnyValueJson.WriteProperties(writer, scope.Attributes, skip: null, innerKeys);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        if (record.EventName.Length > 0 && written.Add("eventName"))
        {
            writer.WriteString("eventName", record.EventName);
        }

        writer.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string value)
    {
        if (value.Length > 0)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>The severity number's band; else the severity text, for the validator to read (it knows the aliases).</summary>
    private static string? LevelOf(LogRecord record)
    {
        var number = (int)record.SeverityNumber;
        if (number is >= 1 and <= 24)
        {
            return Levels[(number - 1) / 4];
        }

        return string.IsNullOrWhiteSpace(record.SeverityText) ? null : record.SeverityText;
    }

    /// <summary>
    /// The template rendered with the attributes when the record carries <c>{OriginalFormat}</c>, or when its body is a
    /// template whose every hole names an attribute (the .NET exporter sends <c>{OriginalFormat}</c> as the body and
    /// its values as attributes); else a string body as it is, another body as JSON, else the event name. None of these:
    /// no message, and the validator refuses the record.
    /// </summary>
    private static string? MessageOf(LogRecord record)
    {
        var template = Attribute(record, OriginalFormat);
        if (template?.ValueCase == AnyValue.ValueOneofCase.StringValue)
        {
            return Render(template.StringValue, record);
        }

        var body = record.Body;
        switch (body?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.StringValue when IsTemplateOfAttributes(body!.StringValue, record):
                return Render(body.StringValue, record);
            case AnyValue.ValueOneofCase.StringValue:
                return body!.StringValue;
            case AnyValue.ValueOneofCase.None:
                return record.EventName.Length > 0 ? record.EventName : null;
            default:
                return AnyValueJson.ToElement(body).GetRawText();
        }
    }

    private static string Render(string template, LogRecord record) =>
        MessageTemplateRenderer.Render(template, name => Attribute(record, name) is { } value ? AnyValueJson.ToElement(value) : null, [],
            quoteStrings: false);

    private static bool IsTemplateOfAttributes(string body, LogRecord record)
    {
        if (record.Attributes.Count == 0 || !body.Contains('{', StringComparison.Ordinal))
        {
            return false;
        }

        var holes = TemplateParser.Parse(body).Tokens.OfType<PropertyToken>().ToList();
        return holes.Count > 0 && holes.All(h => Attribute(record, h.PropertyName) is not null);
    }

    /// <summary>
    /// OpenTelemetry's exception attributes as one text: the stack trace alone when its first line already names the type
    /// (.NET's and Java's do), else type and message before it.
    /// </summary>
    private static string? ExceptionOf(LogRecord record)
    {
        var type = Text(Attribute(record, "exception.type"));
        var message = Text(Attribute(record, "exception.message"));
        var stack = Text(Attribute(record, "exception.stacktrace"));
        if (type is null && message is null && stack is null)
        {
            return null;
        }

        if (stack is not null && type is not null && stack.Split('\n', 2)[0].Contains(type, StringComparison.Ordinal))
        {
            return stack;
        }

        var head = type is null ? message : message is null ? type : $"{type}: {message}";
        return stack is null ? head : head is null ? stack : $"{head}\n{stack}";
    }

    private static AnyValue? Attribute(LogRecord record, string key)
    {
        foreach (var kv in record.Attributes)
        {
            if (kv.Key == key)
            {
                return kv.Value;
            }
        }

        return null;
    }

    private static string? Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        null or AnyValue.ValueOneofCase.None => null,
        _ => AnyValueJson.ToElement(value).GetRawText(),
    };
}
