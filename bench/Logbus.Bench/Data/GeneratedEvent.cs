using System.Text.Json;

namespace Logbus.Bench.Data;

/// <summary>One event of the generated dataset, with its metadata as typed fields for the reference computations.</summary>
public sealed record GeneratedEvent(
    string Id,
    DateTimeOffset Timestamp,
    string Level,
    string Message,
    string Source,
    string UserId,
    string Region,
    int HttpStatus,
    bool? Retry,
    string? TraceId)
{
    public string MetadataJson() => JsonSerializer.Serialize(Metadata());

    /// <summary>
    /// The metadata object, to serialize as part of a larger document: besides the typed fields, an array (<c>tags</c>:
    /// region and level) and a key with a dot in its name (<c>resource["service.name"]</c>), as OpenTelemetry sends.
    /// </summary>
    public Dictionary<string, object> Metadata()
    {
        var metadata = new Dictionary<string, object>
        {
            ["userId"] = UserId,
            ["region"] = Region,
            ["http"] = new { status = HttpStatus },
            ["tags"] = new[] { Region, Level.ToLowerInvariant() },
            ["resource"] = new Dictionary<string, string> { ["service.name"] = Source },
        };
        if (Retry is { } retry)
        {
            metadata["retry"] = retry;
        }

        return metadata;
    }

    /// <summary>The span id: the first half of the trace id, on traced events.</summary>
    public string? SpanId => TraceId?[..16];

    /// <summary>A stack trace on FATAL events, with %, _ and a comma, which patterns must treat as text.</summary>
    public string? Exception => Level == "FATAL"
        ? $"System.TimeoutException: step_2 of job {Id[..4]} used 100% of its budget, then gave up\n   at Jobs.Run()"
        : null;

    /// <summary>The metadata value at a dotted path, as the JSON text of the value, or null when absent.</summary>
    public string? MetadataValue(string path) => path switch
    {
        "userId" => JsonSerializer.Serialize(UserId),
        "region" => JsonSerializer.Serialize(Region),
        "http.status" => HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "retry" => Retry is { } r ? (r ? "true" : "false") : null,
        _ => null,
    };
}
