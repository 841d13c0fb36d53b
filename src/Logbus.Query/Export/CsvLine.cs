using System.Globalization;
using System.Text;
using Logbus.Query.Search;

namespace Logbus.Query.Export;

/// <summary>
/// Events as CSV lines (RFC 4180): CRLF between records; a field holding a comma, a quote, CR or LF is quoted, its quotes
/// doubled, so messages and stack traces spanning lines stay one field. With <c>escapeFormulas</c>, a field a spreadsheet
/// would read as a formula (<see cref="ExportOptions.CsvEscapeFormulas"/>) starts with a <c>'</c>.
/// </summary>
internal static class CsvLine
{
    public const string Header = "id,timestamp,level,source,message,exception,traceId,spanId,metadata,importId,receivedAt,storedAt\r\n";

    public static void Append(StringBuilder line, LogEventView e, bool escapeFormulas)
    {
        Field(line, e.Id, escapeFormulas).Append(',');
        Field(line, Time(e.Timestamp), escapeFormulas).Append(',');
        Field(line, e.Level, escapeFormulas).Append(',');
        Field(line, e.Source, escapeFormulas).Append(',');
        Field(line, e.Message, escapeFormulas).Append(',');
        Field(line, e.Exception, escapeFormulas).Append(',');
        Field(line, e.TraceId, escapeFormulas).Append(',');
        Field(line, e.SpanId, escapeFormulas).Append(',');
        Field(line, e.Metadata?.Json, escapeFormulas).Append(',');
        Field(line, e.ImportId?.ToString(), escapeFormulas).Append(',');
        Field(line, Time(e.ReceivedAt), escapeFormulas).Append(',');
        Field(line, Time(e.StoredAt), escapeFormulas).Append("\r\n");
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static StringBuilder Field(StringBuilder line, string? value, bool escapeFormulas)
    {
        if (string.IsNullOrEmpty(value))
        {
            return line;
        }

        // Excel, LibreOffice and Google Sheets start a formula at these (a tab or CR before one is skipped by some); the
        // quote makes the cell text, and shows, which is the point: the reader sees the value was altered.
        var prefix = escapeFormulas && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" : "";
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return line.Append(prefix).Append(value);
        }

        return line.Append('"').Append(prefix).Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
