using System.Text;

namespace Logbus.Api.Imports;

/// <summary>
/// Reads CSV records (RFC 4180: comma-separated, fields optionally in double quotes, <c>""</c> for a quote inside
/// one, line breaks allowed inside quoted fields) from a text stream, one record at a time. Blank lines are skipped;
/// a quote inside an unquoted field is kept as text; line breaks inside a field read as <c>\n</c>.
/// </summary>
/// <remarks>
/// A broken record costs only itself: when a quoted field is never closed (the input ends, or the record outgrows
/// <see cref="MaxFieldLength"/>), or text follows a closing quote, the record is reported unreadable at the line it
/// starts on, and reading goes on with the line after that one. The lines the broken record had taken are kept (at
/// most <see cref="MaxFieldLength"/> characters) and read again as records of their own.
/// </remarks>
public sealed class CsvRecordReader : IDisposable
{
    /// <summary>
    /// The longest record (and line) read, in characters, by default. Far above what an event's fields may hold (the
    /// ingest limits are tens of KiB), so only a broken file meets it.
    /// </summary>
    public const int MaxFieldLength = 1024 * 1024;

    private readonly ImportLineReader _lines;
    private readonly LinkedList<ImportLine> _again = new();
    private readonly int _maxLength;

    public CsvRecordReader(TextReader reader)
        : this(reader, MaxFieldLength)
    {
    }

    /// <param name="maxLength">The longest line, and record, read; longer ones are reported unreadable.</param>
    public CsvRecordReader(TextReader reader, int maxLength)
    {
        _maxLength = maxLength;
        _lines = new ImportLineReader(reader, maxLength);
    }

    /// <summary>The next record; null at the end of the input.</summary>
    public async Task<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await NextLineAsync(cancellationToken) is not { } first)
            {
                return null;
            }

            if (first.TooLong)
            {
                return new CsvRecord(first.Number, [], ImportLine.TooLongReason(first.Length, _maxLength));
            }

            if (first.Text!.Length == 0)
            {
                continue;
            }

            return await ParseAsync(first, cancellationToken);
        }
    }

    private async Task<CsvRecord> ParseAsync(ImportLine first, CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var taken = new List<ImportLine>();
        var text = first.Text!;
        long length = text.Length;
        var quoted = false;
        var fieldStart = true;
        var i = 0;
        while (true)
        {
            if (i == text.Length)
            {
                if (!quoted)
                {
                    fields.Add(field.ToString());
                    return new CsvRecord(first.Number, fields);
                }

                // A line break inside a quoted field: the record goes on on the next line.
                var next = await NextLineAsync(cancellationToken);
                if (next is null)
                {
                    return Broken(first, taken, "has a quote that is never closed");
                }

                taken.Add(next.Value);
                length += next.Value.Length + 1;
                if (next.Value.TooLong || length > _maxLength)
                {
                    return Broken(first, taken,
                        $"has a quoted field still open after {_maxLength:N0} characters (an unterminated quote?)");
                }

                field.Append('\n');
                text = next.Value.Text!;
                i = 0;
                continue;
            }

            var c = text[i++];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i < text.Length && text[i] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (i == text.Length || text[i] == ',')
                {
                    quoted = false;
                }
                else
                {
                    return Broken(first, taken, $"has text after the closing quote of field {fields.Count + 1} (an unterminated quote?)");
                }
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldStart = true;
                continue;
            }
            else if (c == '"' && fieldStart)
            {
                quoted = true;
            }
            else
            {
                field.Append(c);
            }

            fieldStart = false;
        }
    }

    /// <summary>The record at <paramref name="first"/> is unreadable; the lines it took are read again.</summary>
    private CsvRecord Broken(ImportLine first, List<ImportLine> taken, string reason)
    {
        for (var i = taken.Count - 1; i >= 0; i--)
        {
            _again.AddFirst(taken[i]);
        }

        return new CsvRecord(first.Number, [], reason);
    }

    private async ValueTask<ImportLine?> NextLineAsync(CancellationToken cancellationToken)
    {
        if (_again.First is { } again)
        {
            _again.RemoveFirst();
            return again.Value;
        }

        return await _lines.ReadLineAsync(cancellationToken);
    }

    public void Dispose()
    {
        // The reader owns no resource of its own: the text reader stays its caller's.
    }
}
