namespace Logbus.Api.Imports;

/// <summary>Which <see cref="ImportFormat"/> an upload is in: <c>?format=</c>, else its Content-Type.</summary>
public static class ImportFormats
{
    public static ImportFormat? Resolve(string? format, string? contentType)
    {
        if (!string.IsNullOrWhiteSpace(format))
        {
            return format.Trim().ToLowerInvariant() switch
            {
                "ndjson" or "jsonl" or "json" => ImportFormat.Ndjson,
                "clef" => ImportFormat.Clef,
                "csv" => ImportFormat.Csv,
                _ => null,
            };
        }

        var mediaType = (contentType ?? string.Empty).Split(';', 2)[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "" or "application/x-ndjson" or "application/ndjson" or "application/jsonl" or "application/x-jsonlines" or "application/json" =>
                ImportFormat.Ndjson,
            "application/vnd.serilog.clef" => ImportFormat.Clef,
            "text/csv" or "application/csv" => ImportFormat.Csv,
            _ => null,
        };
    }

    public static string Name(ImportFormat format) => format.ToString().ToLowerInvariant();
}
