using System.Text;

namespace Logbus.Api.Imports;

/// <summary>
/// Reads lines (ended by <c>\n</c>, <c>\r\n</c> or <c>\r</c>, as <see cref="TextReader.ReadLineAsync()"/> does) but never
/// holds more than <c>maxLength</c> characters of one: a longer line is read past to its end and reported as too long,
/// so a file of one endless line costs a buffer, not the line.
/// </summary>
public sealed class ImportLineReader(TextReader reader, int maxLength)
{
    private readonly char[] _buffer = new char[16 * 1024];
    private readonly StringBuilder _line = new();
    private int _position;
    private int _end;
    private bool _skipLineFeed;
    private bool _atEnd;
    private int _number;

    public int MaxLength { get; } = maxLength;

    /// <summary>The next line; null at the end of the input.</summary>
    public async ValueTask<ImportLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        long length = 0;
        var any = false;
        while (true)
        {
            if (_position == _end)
            {
                if (_atEnd || (_end = await reader.ReadAsync(_buffer, cancellationToken)) == 0)
                {
                    _atEnd = true;
                    _position = _end = 0;
                    return any ? Finish(length) : null;
                }

                _position = 0;
            }

            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (_buffer[_position] == '\n')
                {
                    _position++;
                    continue;
                }
            }

            any = true;
            var rest = _buffer.AsSpan(_position, _end - _position);
            var stop = rest.IndexOfAny('\n', '\r');
            var part = stop < 0 ? rest : rest[..stop];
            length += part.Length;
            if (length <= MaxLength)
            {
                _line.Append(part);
            }

            if (stop < 0)
            {
                _position = _end;
                continue;
            }

            _skipLineFeed = rest[stop] == '\r';
            _position += stop + 1;
            return Finish(length);
        }
    }

    private ImportLine Finish(long length)
    {
        _number++;
        return new ImportLine(_number, length <= MaxLength ? _line.ToString() : null, length);
    }
}
