extern alias api;

using System.Diagnostics;
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
    public async Task An_unterminated_quote_at_the_end_takes_the_rest_of_a_small_file_as_its_field()
    {
        var records = await ReadAllAsync("a,b\n1,2\n3,\"open\n4,5\n");

        Assert.Equal(3, records[2].Line);
        Assert.Equal(["3", "open\n4,5\n"], records[2].Fields);
    }

    [Fact]
    public async Task An_unterminated_quote_that_outgrows_the_field_bound_is_a_bad_record_at_its_line_and_reading_stops()
    {
        var csv = "timestamp,level,message\n2026-11-20T10:00:00Z,INFO,fine\n\n2026-11-20T10:00:01Z,INFO,\"never closed\n"
            + string.Concat(Enumerable.Repeat("2026-11-20T10:00:02Z,INFO,swallowed\n", CsvRecordReader.MaxFieldLength / 30));
        var reader = new ImportRecordReader(Options.Create(new IngestOptions()));
        var records = new List<ImportRecord>();
        var watch = Stopwatch.StartNew();
        await foreach (var record in reader.ReadAsync(new StringReader(csv), ImportFormat.Csv, "spec", CancellationToken.None))
        {
            records.Add(record);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(2, records.Count);
        Assert.Equal(2, records[0].Line);
        Assert.NotNull(records[0].Event);
        Assert.Equal(4, records[1].Line);
        Assert.Null(records[1].Event);
        Assert.Contains("longer than", records[1].Unreadable, StringComparison.Ordinal);
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
