using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Logbus.Api.Ingest;
using Logbus.Api.Ingest.Decoding;
using Logbus.Api.Otlp.Wire;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Otlp;

/// <summary>
/// OTLP/HTTP with <c>Content-Type: application/json</c>: protobuf's JSON mapping with OTLP's changes. Trace and span
/// ids are hex (protobuf's mapping has base64), so they are turned into base64 first; enums as integers, 64-bit
/// integers as strings or numbers and both lowerCamelCase and original field names are read as protobuf's JSON
/// parser reads them; unknown fields are ignored.
/// </summary>
public sealed class OtlpJsonDecoder(OtlpRecordMapper mapper, IOptions<OtlpOptions> options) : IEventDecoder
{
    public DecodedEvents Decode(ReadOnlyMemory<byte> body, string? keySource)
    {
        var depth = options.Value.MaxNestingDepth;
        JsonNode? root;
        try
        {
            // Each OTLP level is two JSON levels (an AnyValue object around its kvlistValue or arrayValue).
            root = JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { MaxDepth = depth * 2 });
        }
        catch (JsonException e) when (IngestProblems.IsTooDeep(e))
        {
            // Said here, not by the JSON routes' answer, which names the limit of a Logbus event's metadata.
            throw new UndecodableBodyException(
                $"The body nests deeper than OTLP values may: at most {depth} levels (setting Otlp:MaxNestingDepth).", e);
        }

        if (root is not JsonObject request)
        {
            throw new UndecodableBodyException("The body must be an OTLP ExportLogsServiceRequest: a JSON object with resourceLogs.");
        }

        foreach (var record in Children(request, "resourceLogs", "resource_logs")
            .SelectMany(r => Children(r, "scopeLogs", "scope_logs"))
            .SelectMany(s => Children(s, "logRecords", "log_records")))
        {
            HexToBase64(record, "traceId", "trace_id");
            HexToBase64(record, "spanId", "span_id");
        }

        try
        {
            var parser = new JsonParser(new JsonParser.Settings(depth).WithIgnoreUnknownFields(true));
            return mapper.Map(parser.Parse<ExportLogsServiceRequest>(request.ToJsonString()), keySource);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            throw new UndecodableBodyException($"The body is not an OTLP ExportLogsServiceRequest in JSON: {e.Message}", e);
        }
    }

    private static IEnumerable<JsonObject> Children(JsonObject parent, string name, string originalName) =>
        (parent[name] ?? parent[originalName]) is JsonArray items ? items.OfType<JsonObject>() : [];

    private static void HexToBase64(JsonObject record, params string[] names)
    {
        foreach (var name in names)
        {
            if (record[name] is not JsonValue value || !value.TryGetValue<string>(out var hex))
            {
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                throw new UndecodableBodyException($"logRecords[].{name} must be hex (OTLP/JSON), not '{hex}'.");
            }

            record[name] = Convert.ToBase64String(bytes);
        }
    }
}
