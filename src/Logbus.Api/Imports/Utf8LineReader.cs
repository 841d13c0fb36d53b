using System.Text;

namespace Logbus.Api.Imports;

/// <summary>
/// Reads an upload's lines (ended by <c>\n</c>, <c>\r\n</c> or <c>\r</c>) as UTF-8 bytes where they lie in its buffer, for
/// the JSON parser to read them there: no line is decoded into a string first. Never holds more than <c>maxLength</c>
/// bytes of one: a longer line is read past to its end and reported as too long, so a file of one endless line costs a
/// buffer, not the line. A UTF-8 byte order mark is skipped; after a UTF-16 or UTF-32 one (what Windows PowerShell 5's
/// <c>Out-File</c> writes) the rest is transcoded to UTF-8 as it is read.
/// </summary>
public sealed class Utf8LineReader(Stream stream, int maxLength)
{
    private const int ReadSize = 64 * 1024;

    private Stream _stream = stream;
    private byte[] _buffer = new byte[ReadSize];
    private int _start;
    private int _end;
    private bool _begun;
    private bool _atEnd;
    private bool _skipLineFeed;
    private int _number;

    public int MaxLength { get; } = maxLength;

    /// <summary>The next line, null at the end of the input. Its bytes are valid until the next call.</summary>
    public async ValueTask<Utf8Line?> ReadLineAsync(CancellationToken cancellationToken)
    {
        if (!_begun)
        {
            _begun = true;
            await BeginAsync(cancellationToken);
        }

        // Bytes of this line from _start on that hold no line end, and those of an over-long line already let go.
        var scanned = 0;
        long skipped = 0;
        while (true)
        {
            if (_start + scanned == _end)
            {
                if (_atEnd)
                {
                    if (scanned == 0 && skipped == 0)
                    {
                        return null;
                    }

                    var last = Finish(_start, scanned, skipped);
                    _start = _end;
                    return last;
                }

                await FillAsync(cancellationToken);
                continue;
            }

            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (_buffer[_start] == (byte)'\n')
                {
                    _start++;
                    continue;
                }
            }

            var rest = _buffer.AsSpan(_start + scanned, _end - _start - scanned);
            var stop = rest.IndexOfAny((byte)'\n', (byte)'\r');
            if (stop >= 0)
            {
                var line = Finish(_start, scanned + stop, skipped);
                _skipLineFeed = rest[stop] == (byte)'\r';
                _start += scanned + stop + 1;
                return line;
            }

            scanned += rest.Length;
            if (skipped + scanned > MaxLength)
            {
                // Too long to keep: what is buffered of it goes, and the rest is only counted until the line ends.
                skipped += scanned;
                scanned = 0;
                _start = _end;
            }
        }
    }

    private Utf8Line Finish(int start, int length, long skipped)
    {
        _number++;
        var total = skipped + length;
        return new Utf8Line(_number, total <= MaxLength ? _buffer.AsMemory(start, length) : (ReadOnlyMemory<byte>?)null, total);
    }

    /// <summary>Moves the unread bytes to the front (the buffer grows while a line within the bound fills it) and reads more.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < ReadSize / 2)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        _atEnd = read == 0;
    }

    /// <summary>Reads the first bytes for a byte order mark.</summary>
    private async ValueTask BeginAsync(CancellationToken cancellationToken)
    {
        while (_end < 4 && !_atEnd)
        {
            await FillAsync(cancellationToken);
        }

        var (encoding, mark) = _buffer.AsSpan(0, _end) switch
        {
            [0xEF, 0xBB, 0xBF, ..] => ((Encoding?)null, 3),
            [0xFF, 0xFE, 0, 0, ..] => (Encoding.UTF32, 4),
            [0, 0, 0xFE, 0xFF, ..] => (new UTF32Encoding(bigEndian: true, byteOrderMark: false), 4),
            [0xFF, 0xFE, ..] => (Encoding.Unicode, 2),
            [0xFE, 0xFF, ..] => (Encoding.BigEndianUnicode, 2),
            _ => (null, 0),
        };
        if (encoding is null)
        {
            _start = mark;
            return;
        }

        _stream = Encoding.CreateTranscodingStream(new PrefixedStream(_buffer[mark.._end], _stream), encoding, Encoding.UTF8, leaveOpen: true);
        _start = _end = 0;
        _atEnd = false;
    }

    /// <summary>Bytes already read, then the rest of the stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : ForwardReadStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _position < prefix.Length ? ValueTask.FromResult(Read(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);
    }
}
