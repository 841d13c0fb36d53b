using System.Text;

namespace Logbus.Api.Imports;

/// <summary>
/// Reads CSV records (RFC 4180: comma-separated, fields optionally in double quotes, <c>""</c> for a quote inside
/// one, line breaks allowed inside quoted fields) from a text stream, one record at a time.
/// </summary>
public sealed class CsvRecordReader(TextReader reader)
{
    private int _line;

    /// <summary>The next record and the line it starts on; null at the end of the input.</summary>
    public async Task<(List<string> Fields, int Line)?> ReadAsync(CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        var startLine = _line + 1;
        while (true)
        {
            var text = await reader.ReadLineAsync(cancellationToken);
            if (text is null)
            {
                if (!any)
                {
                    return null;
                }

                // An unterminated quote at the end of input: take what is there.
                fields.Add(field.ToString());
                return (fields, startLine);
            }

            _line++;
            if (!quoted && !any && text.Length == 0)
            {
                // A blank line between records.
                startLine = _line + 1;
                continue;
            }

            any = true;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            if (quoted)
            {
                // The quoted field goes on on the next line.
                field.Append('\n');
                continue;
            }

            fields.Add(field.ToString());
            return (fields, startLine);
        }
    }
}
