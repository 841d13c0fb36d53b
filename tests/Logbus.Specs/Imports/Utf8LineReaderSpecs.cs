extern alias api;

using System.Text;
using api::Logbus.Api.Imports;
using api::Logbus.Api.Ingest;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Imports;

/// <summary>How an NDJSON or CLEF upload is cut into lines of UTF-8 bytes: line ends, byte order marks, the line bound.</summary>
[Trait("Kind", "Unit")]
public sealed class Utf8LineReaderSpecs
{
    [Fact]
    public async Task Lines_end_at_LF_CRLF_or_CR_even_split_across_reads_and_the_last_needs_no_end()
    {
        // Three bytes a read: a CRLF falls across two reads, and so does many a line.
        var lines = await ReadAllAsync(new TrickleStream("one\r\ntwo\rthree\n\nfünf\r\n\r\nlast"u8.ToArray(), 3), maxLength: 64);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], lines.Select(l => l.Number));
        Assert.Equal(["one", "two", "three", "", "fünf", "", "last"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task A_line_longer_than_a_read_but_within_the_bound_is_read_whole()
    {
        var longLine = new string('x', 300_000);
        var lines = await ReadAllAsync(new TrickleStream(Encoding.UTF8.GetBytes($"a\n{longLine}\nb\n"), 50_000), maxLength: 300_000);

        Assert.Equal(["a", longLine, "b"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task The_bound_counts_bytes_a_line_at_it_is_read_and_one_byte_more_is_skipped_at_its_number()
    {
        var text = $"{new string('a', 10)}\n{new string('b', 11)}\nüü\nüüüüüü\n";
        var lines = await ReadAllAsync(new TrickleStream(Encoding.UTF8.GetBytes(text), 4), maxLength: 10);

        Assert.Equal([(1, "aaaaaaaaaa", 10L), (2, null, 11), (3, "üü", 4), (4, null, 12)], lines.Select(l => (l.Number, l.Text, l.Length)));
        Assert.Contains("bytes", Utf8Line.TooLongReason(11, 10), StringComparison.Ordinal);
        Assert.Contains("Imports:MaxLineLength", Utf8Line.TooLongReason(11, 10), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_over_the_bound_is_skipped_as_it_streams_and_rejected_at_its_number_never_held()
    {
        const long length = 256L * 1024 * 1024;
        var lines = new Utf8LineReader(new EndlessLine(length, "\nnext\n"u8.ToArray()), 1024);

        // Counted on this thread, not the process: unit specs run in parallel and allocate too. The endless line is made
        // as it is read, so every read completes synchronously here.
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var reading = lines.ReadLineAsync(CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(reading.IsCompleted, "the made-up line is read synchronously, so this thread's allocations are the read's");
        var first = await reading;

        Assert.Equal((1, true, length), (first!.Value.Number, first.Value.TooLong, first.Value.Length));
        var next = await lines.ReadLineAsync(CancellationToken.None);
        Assert.Equal((2, "next"), (next!.Value.Number, Encoding.UTF8.GetString(next.Value.Bytes!.Value.Span)));
        Assert.Null(await lines.ReadLineAsync(CancellationToken.None));
        Assert.True(allocated < 1024 * 1024, $"reading past a {length:N0}-byte line allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("utf-8", 1)]
    [InlineData("utf-8", 5)]
    [InlineData("utf-16", 1)]
    [InlineData("utf-16", 5)]
    [InlineData("utf-16BE", 5)]
    [InlineData("utf-32", 5)]
    public async Task A_byte_order_mark_is_not_part_of_the_first_line_and_UTF16_or_UTF32_text_is_read_as_UTF8(string name, int perRead)
    {
        var encoding = Encoding.GetEncoding(name);
        const string text = "{\"message\":\"größer → 🙂\"}\r\n{\"message\":\"zwei\"}\n";
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(text)).ToArray();

        var lines = await ReadAllAsync(new TrickleStream(bytes, perRead), maxLength: 1024);

        Assert.Equal(["{\"message\":\"größer → 🙂\"}", "{\"message\":\"zwei\"}"], lines.Select(l => l.Text));
    }

    [Theory]
    [InlineData(new byte[0], new string[0])]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF }, new string[0])]
    [InlineData(new byte[] { 0xFF, 0xFE }, new string[0])]
    [InlineData(new byte[] { (byte)'x' }, new[] { "x" })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'x' }, new[] { "x" })]
    public async Task Input_shorter_than_a_byte_order_mark_is_read_as_it_is(byte[] bytes, string[] expected)
    {
        var lines = await ReadAllAsync(new TrickleStream(bytes, 1), maxLength: 1024);

        Assert.Equal(expected, lines.Select(l => l.Text));
    }

    [Fact]
    public async Task An_NDJSON_line_that_is_not_UTF8_is_rejected_at_its_number_and_the_lines_around_it_are_read()
    {
        var bytes = Encoding.UTF8.GetBytes(
            "{\"message\":\"one\",\"source\":\"s\"}\n{\"message\":\"bad X\"}\n   \n{\"message\":\"three\",\"source\":\"s\"}\n");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        var reader = new ImportRecordReader(Options.Create(new IngestOptions()));

        var records = new List<(int Line, string? Message, string? Unreadable)>();
        await foreach (var record in reader.ReadAsync(new MemoryStream(bytes), ImportFormat.Ndjson, "spec", CancellationToken.None))
        {
            // Read before the next record: an event refers into its own line's parse.
            records.Add((record.Line, record.Event?.Message?.GetString(), record.Unreadable));
        }

        Assert.Equal([1, 2, 4], records.Select(r => r.Line));
        Assert.Equal(["one", null, "three"], records.Select(r => r.Message));
        Assert.StartsWith("is not UTF-8 text", records[1].Unreadable, StringComparison.Ordinal);
    }

    private static async Task<List<(int Number, string? Text, long Length)>> ReadAllAsync(Stream stream, int maxLength)
    {
        var reader = new Utf8LineReader(stream, maxLength);
        var lines = new List<(int, string?, long)>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add((line.Number, line.Bytes is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : null, line.Length));
        }

        return lines;
    }

    /// <summary>A stream that gives at most <paramref name="perRead"/> bytes a read.</summary>
    private sealed class TrickleStream(byte[] bytes, int perRead) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, perRead)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, perRead));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }

    /// <summary>A stream of one line of <c>a</c>s, made as it is read, then <paramref name="tail"/>.</summary>
    private sealed class EndlessLine(long length, byte[] tail) : ForwardReadStream
    {
        private long _left = length;
        private int _tail;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left > 0)
            {
                var n = (int)Math.Min(buffer.Length, _left);
                buffer[..n].Fill((byte)'a');
                _left -= n;
                return n;
            }

            var rest = Math.Min(buffer.Length, tail.Length - _tail);
            tail.AsSpan(_tail, rest).CopyTo(buffer);
            _tail += rest;
            return rest;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
