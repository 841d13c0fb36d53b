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

    /// <summary>The metadata object, to serialize as part of a larger document.</summary>
    public Dictionary<string, object> Metadata() => Retry is { } retry
        ? new Dictionary<string, object> { ["userId"] = UserId, ["region"] = Region, ["http"] = new { status = HttpStatus }, ["retry"] = retry }
        : new Dictionary<string, object> { ["userId"] = UserId, ["region"] = Region, ["http"] = new { status = HttpStatus } };

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
