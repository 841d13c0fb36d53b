extern alias api;

using System.Text;
using api::Logbus.Api.Imports;
using api::Logbus.Api.Ingest;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Imports;

/// <summary>How an import reads CSV: quoting, line breaks inside fields, line numbers, and a broken file's bound.</summary>
[Trait("Kind", "Unit")]
public sealed class CsvRecordReaderSpecs
{
    [Fact]
    public async Task Quoted_fields_keep_commas_quotes_and_line_breaks_and_records_carry_the_line_they_start_on()
    {
        var records = await ReadAllAsync(
            "a,b,c\r\n1,\"x, y\",3\r\n\r\n4,\"multi\r\nline\",6\n7,ab\"c,9\n\"q\"\"uote\",,\"\"\n \n");

        Assert.Equal([1, 2, 4, 6, 7, 8], records.Select(r => r.Line));
        Assert.Equal(["a", "b", "c"], records[0].Fields);
        Assert.Equal(["1", "x, y", "3"], records[1].Fields);
        Assert.Equal(["4", "multi\nline", "6"], records[2].Fields);
        Assert.Equal(["7", "ab\"c", "9"], records[3].Fields);
        Assert.Equal(["q\"uote", "", ""], records[4].Fields);
        Assert.Equal([" "], records[5].Fields);
        Assert.All(records, r => Assert.Null(r.Unreadable));
    }

    [Fact]
    public async Task An_unterminated_quote_at_the_end_is_a_bad_record_at_its_line_and_the_lines_it_took_are_read_again()
    {
        var records = await ReadAllAsync("a,b\n1,2\n3,\"open\n4,5\n");

        Assert.Equal([1, 2, 3, 4], records.Select(r => r.Line));
        Assert.Contains("never closed", records[2].Unreadable, StringComparison.Ordinal);
        Assert.Equal(["4", "5"], records[3].Fields);
        Assert.Null(records[3].Unreadable);
    }

    [Fact]
    public async Task Text_after_a_closing_quote_ends_a_runaway_quoted_field_at_the_next_quoted_line()
    {
        var records = await ReadAllAsync("a,b\n1,\"open\n2,\"fine\"\n3,x\n");

        Assert.Equal([1, 2, 3, 4], records.Select(r => r.Line));
        Assert.Contains("closing quote", records[1].Unreadable, StringComparison.Ordinal);
        Assert.Equal(["2", "fine"], records[2].Fields);
        Assert.Equal(["3", "x"], records[3].Fields);
    }

    [Fact]
    public async Task An_unterminated_quote_on_line_2_then_100k_good_lines_rejects_line_2_and_reads_every_other_line()
    {
        const int good = 100_000;
        var csv = new StringBuilder("timestamp,level,message\n2026-11-20T10:00:00Z,INFO,\"never closed\n");
        for (var i = 0; i < good; i++)
        {
            csv.Append("2026-11-20T10:00:02Z,INFO,line ").Append(i + 3).Append('\n');
        }

        var reader = new ImportRecordReader(Options.Create(new IngestOptions()));
        var records = new List<ImportRecord>();
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        await foreach (var record in reader.ReadAsync(body, ImportFormat.Csv, "spec", CancellationToken.None))
        {
            records.Add(record);
        }

        Assert.Equal(good + 1, records.Count);
        Assert.Equal(2, records[0].Line);
        Assert.Null(records[0].Event);
        Assert.Contains("unterminated quote", records[0].Unreadable, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(3, good), records.Skip(1).Select(r => r.Line));
        Assert.All(records.Skip(1), r => Assert.NotNull(r.Event));
        Assert.Equal("line 100002", records[^1].Event!.Message!.Value.GetString());
    }

    [Fact]
    public async Task A_line_over_the_bound_is_skipped_as_it_streams_and_rejected_at_its_number_never_held()
    {
        const long length = 256L * 1024 * 1024;
        var lines = new ImportLineReader(new EndlessLine(length, "\nnext\n"), 1024);

        // Counted on this thread, not the process: unit specs run in parallel and allocate too. The endless line is in
        // memory, so every read completes synchronously here.
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var reading = lines.ReadLineAsync(CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(reading.IsCompleted, "the in-memory line is read synchronously, so this thread's allocations are the read's");
        var first = await reading;

        Assert.Equal(new ImportLine(1, null, length), first);
        Assert.Equal(new ImportLine(2, "next", 4), await lines.ReadLineAsync(CancellationToken.None));
        Assert.Null(await lines.ReadLineAsync(CancellationToken.None));
        // Reading the line whole would allocate twice its length at least (UTF-16); skipping it costs a buffer.
        Assert.True(allocated < 64 * 1024 * 1024, $"reading past a {length:N0}-character line allocated {allocated:N0} bytes");
        Assert.Contains("Imports:MaxLineLength", ImportLine.TooLongReason(length, 1024), StringComparison.Ordinal);
    }

    /// <summary>A text of one line of <c>a</c>s, made as it is read, then <paramref name="tail"/>.</summary>
    private sealed class EndlessLine(long length, string tail) : TextReader
    {
        private long _left = length;
        private int _tail;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_left > 0)
            {
                var n = (int)Math.Min(buffer.Length, _left);
                buffer[..n].Fill('a');
                _left -= n;
                return n;
            }

            var rest = Math.Min(buffer.Length, tail.Length - _tail);
            tail.AsSpan(_tail, rest).CopyTo(buffer);
            _tail += rest;
            return rest;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }

    private static async Task<List<CsvRecord>> ReadAllAsync(string csv)
    {
        using var reader = new CsvRecordReader(new StringReader(csv));
        var records = new List<CsvRecord>();
        while (await reader.ReadAsync(CancellationToken.None) is { } record)
        {
            records.Add(record);
        }

        return records;
    }
}
