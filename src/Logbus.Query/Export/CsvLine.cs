using System.Globalization;
using System.Text;
using Logbus.Query.Search;

namespace Logbus.Query.Export;

/// <summary>
/// Events as CSV lines (RFC 4180): CRLF between records; a field holding a comma, a quote, CR or LF is quoted, its quotes
/// doubled, so messages and stack traces spanning lines stay one field.
/// </summary>
internal static class CsvLine
{
    public const string Header = "id,timestamp,level,source,message,exception,traceId,spanId,metadata,importId,receivedAt,storedAt\r\n";

    public static void Append(StringBuilder line, LogEventView e)
    {
        Field(line, e.Id).Append(',');
        Field(line, Time(e.Timestamp)).Append(',');
        Field(line, e.Level).Append(',');
        Field(line, e.Source).Append(',');
        Field(line, e.Message).Append(',');
        Field(line, e.Exception).Append(',');
        Field(line, e.TraceId).Append(',');
        Field(line, e.SpanId).Append(',');
        Field(line, e.Metadata?.Json).Append(',');
        Field(line, e.ImportId?.ToString()).Append(',');
        Field(line, Time(e.ReceivedAt)).Append(',');
        Field(line, Time(e.StoredAt)).Append("\r\n");
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static StringBuilder Field(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return line;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return line.Append(value);
        }

        return line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
