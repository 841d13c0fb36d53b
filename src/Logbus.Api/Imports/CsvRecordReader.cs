using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Logbus.Api.Imports;

/// <summary>
/// Reads CSV records (RFC 4180: comma-separated, fields optionally in double quotes, <c>""</c> for a quote inside
/// one, line breaks allowed inside quoted fields) from a text stream, one record at a time. Blank lines are skipped;
/// a quote inside an unquoted field is kept as text; line breaks inside a field read as <c>\n</c>.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    /// <summary>
    /// The longest field read, in characters. Far above what an event's fields may hold (the ingest limits are tens of
    /// KiB), so only a broken file meets it: an unterminated quote would otherwise take the rest of the file into one
    /// field, held in memory.
    /// </summary>
    public const int MaxFieldLength = 1024 * 1024;

    private readonly CsvParser _parser;
    private int _lastLine;
    private bool _stopped;

    public CsvRecordReader(TextReader reader)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = ",",
            Mode = CsvMode.RFC4180,
            IgnoreBlankLines = false,
            MaxFieldSize = MaxFieldLength,
            BadDataFound = null,
            DetectColumnCountChanges = false,
        };
        _parser = new CsvParser(reader, configuration, leaveOpen: true);
    }

    /// <summary>The next record; null at the end of the input or after a record that could not be read.</summary>
    public async Task<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_stopped)
        {
            return null;
        }

        string[] fields;
        do
        {
            try
            {
                if (!await _parser.ReadAsync())
                {
                    return null;
                }
            }
            catch (MaxFieldSizeException)
            {
                // The parser cannot resume inside the oversized field, so reading ends with this record.
                _stopped = true;
                return new CsvRecord(_lastLine + 1, [],
                    $"has a field longer than {MaxFieldLength:N0} characters (an unterminated quote?); the rest of the file was not read");
            }

            fields = _parser.Record!;
            _lastLine = _parser.RawRow;
        }
        while (IsBlankLine(fields));

        var breaks = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i].AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                fields[i] = fields[i].Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
                breaks += fields[i].AsSpan().Count('\n');
            }
        }

        // The parser counts lines up to the end of the record; it starts as many lines earlier as its fields span.
        return new CsvRecord(_lastLine - breaks, fields);
    }

    /// <summary>
    /// Blank lines are read as records (not skipped by the parser) so that every line is counted: a record cut off by
    /// <see cref="MaxFieldLength"/> is reported at the line it starts on. <c>""</c> alone is a record, not a blank line.
    /// </summary>
    private bool IsBlankLine(string[] fields) =>
        fields is [{ Length: 0 }] && _parser.RawRecord.AsSpan().TrimEnd("\r\n").IsEmpty;

    public void Dispose() => _parser.Dispose();
}
