using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed class ExportButtonSpecs(BrowserStack stack)
{
    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task The_export_button_downloads_what_the_table_shows(string format)
    {
        var page = await stack.OpenAsync("/?range=1h&filter=%22timeout%22%20or%20@Source%20%3D%20%27billing%27");
        var rows = page.Locator("tbody tr.row");
        // Billing's events are i % 3 == 1 but the detailed one (i = 7, checkout): 19; with the timeouts, less i = 10 and 40.
        await Expect(rows).ToHaveCountAsync(SeedEvents.Timeouts + 19 - 2);
        var shown = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");

        await page.GetByLabel("Export format").SelectOptionAsync(format);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export" }).ClickAsync());
        Assert.EndsWith("." + format, download.SuggestedFilename, StringComparison.Ordinal);
        var path = await download.PathAsync();
        var text = await File.ReadAllTextAsync(path, Encoding.UTF8);
        var exported = format == "ndjson" ? NdjsonIds(text) : CsvIds(text);

        // The same events in the same order: newest first, as the table.
        Assert.Equal(shown, exported);
    }

    private static List<string> NdjsonIds(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!)];

    /// <summary>The id column of an RFC 4180 file: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<string> CsvIds(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
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
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        var id = records[0].IndexOf("id");
        Assert.True(id >= 0, $"the CSV header names an id column: {string.Join(',', records[0])}");
        return [.. records.Skip(1).Select(r => r[id])];
    }
}
