extern alias api;

using System.Text;
using api::Logbus.Api.Imports;
using CsCheck;

namespace Logbus.Specs.Fuzzing;

/// <summary>
/// The CSV reader of imports: whatever the file, records with increasing line numbers built from the file's own
/// characters, reading ends, nothing is thrown, and a broken record does not hide the lines after it; a well-formed
/// file reads back exactly as written.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class CsvReaderFuzzSpecs
{
    // Half of the texts end with a well-formed line: however broken what comes before, that line is read.
    private static readonly Gen<string> AnyCsv = Gen.Select(
        HostileInput.Pieces(Gen.OneOf("a", "b,c", ",", "\"", "\"\"", "\n", "\r\n", "\r", " ", "x\"y"), 60), Gen.Bool,
        (text, endsWell) => endsWell ? text + "\nlast" : text);

    private static readonly Gen<string> Field = Gen.Frequency(
        (4, HostileInput.Text(8).Select(t => t.Replace("\r", "", StringComparison.Ordinal))),
        (1, Gen.OneOf("", ",", "\"", "\"\"", "a\nb", " spaced ", "\"quoted\"")));

    private static readonly Gen<string[][]> Table = Field.Array[1, 6].Array[0, 8];

    [Fact]
    public void Any_text_reads_as_records_from_its_own_characters_with_increasing_lines() =>
        FuzzBudget.Run(AnyCsv, text => AssertReadsSanely(text), text => text);

    [Fact]
    public void A_well_formed_file_reads_back_as_written() =>
        FuzzBudget.Run(Gen.Select(Table, Gen.OneOf("\n", "\r\n"), Gen.Bool), t => AssertRoundTrips(t.Item1, t.Item2, t.Item3),
            t => Write(t.Item1, t.Item2, t.Item3));

    public static TheoryData<string> Corpus => FuzzCorpus.Names("csv");

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_corpus_reads_sanely(string name) => AssertReadsSanely(Encoding.UTF8.GetString(FuzzCorpus.Read("csv", name)));

    private static List<CsvRecord> AssertReadsSanely(string text)
    {
        var records = ReadAll(text);
        var lines = text.Count(c => c == '\n') + text.Replace("\r\n", "", StringComparison.Ordinal).Count(c => c == '\r') + 1;
        Assert.Equal(records.Select(r => r.Line).Order(), records.Select(r => r.Line));
        Assert.Equal(records.Count, records.Select(r => r.Line).Distinct().Count());
        Assert.All(records, r => Assert.InRange(r.Line, 1, lines));
        Assert.InRange(records.Sum(r => r.Fields.Sum(f => f.Length)), 0, text.Length);
        // A broken record costs only itself: it carries no fields, and the lines after it are read again as records.
        Assert.All(records.Where(r => r.Unreadable is not null), r => Assert.Empty(r.Fields));
        if (text.EndsWith("\nlast", StringComparison.Ordinal))
        {
            Assert.Equal(["last"], records[^1].Fields);
        }

        return records;
    }

    private static void AssertRoundTrips(string[][] table, string separator, bool finalBreak)
    {
        var text = Write(table, separator, finalBreak);
        var records = AssertReadsSanely(text);

        Assert.Equal(table.Select(r => string.Join("|", r)), records.Select(r => string.Join("|", r.Fields)));
        var expectedLines = new List<int>();
        var line = 1;
        foreach (var row in table)
        {
            expectedLines.Add(line);
            line += 1 + row.Sum(f => f.Count(c => c == '\n'));
        }

        Assert.Equal(expectedLines, records.Select(r => r.Line));
    }

    private static string Write(string[][] table, string separator, bool finalBreak) =>
        string.Join(separator, table.Select(row => string.Join(",", row.Select(f =>
            f.Length == 0 && row.Length == 1 || f.AsSpan().IndexOfAny(",\"\n\r") >= 0
                ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : f)))) + (finalBreak && table.Length > 0 ? separator : "");

    private static List<CsvRecord> ReadAll(string text)
    {
        using var reader = new CsvRecordReader(new StringReader(text));
        var records = new List<CsvRecord>();
        while (reader.ReadAsync(CancellationToken.None).GetAwaiter().GetResult() is { } record)
        {
            records.Add(record);
        }

        return records;
    }
}
