using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed partial class HistogramDragSpecs(BrowserStack stack)
{
    private const string SpikeSource = "orders-service";
    private const int SpikeSize = 500;

    [Fact]
    public async Task A_drag_across_the_histogram_narrows_the_range_the_url_and_the_results()
    {
        var page = await stack.OpenAsync("/?range=1h");
        var rows = page.Locator("tbody tr.row");
        await Expect(rows).ToHaveCountAsync(50);
        var plot = page.Locator("svg.histogram-plot");
        await Expect(plot).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=histogram-total]")).ToHaveTextAsync(EventCount());

        // Drag from the second bar holding events to one about two thirds along them, wherever they are in the hour.
        var bars = await plot.EvaluateAsync<float[][]>("""
            svg => [...svg.querySelectorAll('g.bucket')].filter(g => +g.dataset.total > 0)
              .map(g => g.querySelector('rect.hit')).map(r => [r.x.baseVal.value, r.width.baseVal.value])
            """);
        Assert.True(bars.Length >= 4, $"the seeded events fill {bars.Length} bars");
        var box = (await plot.BoundingBoxAsync())!;
        var y = box.Y + (box.Height / 2);
        var start = box.X + bars[1][0] + (bars[1][1] / 2);
        var end = box.X + bars[bars.Length * 2 / 3][0] + (bars[bars.Length * 2 / 3][1] / 2);
        await page.Mouse.MoveAsync(start, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((start + end) / 2, y, new() { Steps = 4 });
        await page.Mouse.MoveAsync(end, y, new() { Steps = 4 });
        await page.Mouse.UpAsync();

        await Expect(page).ToHaveURLAsync(CustomRange());
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query);
        var from = DateTimeOffset.Parse(query["from"]!, CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(query["to"]!, CultureInfo.InvariantCulture);
        Assert.InRange(to - from, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
        await Expect(page.GetByLabel("Time")).ToHaveValueAsync("custom");

        // The table now holds exactly what the search API holds for that range, and the histogram counts the same.
        using var client = new HttpClient { BaseAddress = stack.QueryUrl };
        var expected = await client.GetFromJsonAsync<JsonElement>(
            $"/api/query/logs?from={Uri.EscapeDataString(query["from"]!)}&to={Uri.EscapeDataString(query["to"]!)}&limit=1000");
        var expectedIds = expected.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
        Assert.InRange(expectedIds.Length, 1, 49);
        await Expect(rows).ToHaveCountAsync(expectedIds.Length);
        Assert.Equal(expectedIds, await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)"));
        await Expect(page.Locator("[data-testid=histogram-total]"))
            .ToHaveTextAsync($"{expectedIds.Length} event{(expectedIds.Length == 1 ? "" : "s")}");
        foreach (var time in await page.Locator("tbody tr.row time").EvaluateAllAsync<string[]>("ts => ts.map(t => t.dateTime)"))
        {
            var at = DateTimeOffset.Parse(time, CultureInfo.InvariantCulture);
            Assert.True(at >= from && at < to, $"{time} is outside [{from:O}, {to:O})");
        }

        await BrowserArtifacts.ScreenshotAsync(page, "search-histogram-narrowed");

        // Back in history is the wider range.
        await page.GoBackAsync();
        await Expect(rows).ToHaveCountAsync(50);
    }

    [Fact]
    public async Task The_histogram_follows_the_search()
    {
        var page = await stack.OpenAsync("/?range=15m&q=timeout");
        await Expect(page.Locator("tbody tr.row")).ToHaveCountAsync(SeedEvents.Timeouts);
        await Expect(page.Locator("[data-testid=histogram-total]")).ToHaveTextAsync($"{SeedEvents.Timeouts} events");
        var perBucket = await page.Locator("svg.histogram-plot g.bucket").EvaluateAllAsync<int[]>("gs => gs.map(g => +g.dataset.total)");
        Assert.Equal(SeedEvents.Timeouts, perBucket.Sum());
    }

    [Fact]
    public async Task On_the_log_scale_one_imports_spike_does_not_flatten_the_other_bars()
    {
        var spikeAt = DateTimeOffset.UtcNow.AddMinutes(-40);
        await stack.IngestAsync([.. Enumerable.Range(0, SpikeSize).Select(i => new
        {
            id = $"spike-{i:D4}", timestamp = spikeAt.AddMilliseconds(i), level = "INFO", message = $"imported order {i}", source = SpikeSource,
        })]);
        await stack.WaitForStoredAsync($"spike-{SpikeSize - 1:D4}");

        var page = await stack.OpenAsync($"/?range=1h&source={SpikeSource}&source=checkout");
        var log = page.GetByLabel("Log scale");
        await Expect(log).Not.ToBeCheckedAsync();
        await Expect(page.Locator("[data-testid=histogram-total]")).ToHaveTextAsync(EventCount());
        var linear = await SmallestToLargestBarAsync(page);
        Assert.True(linear < 0.02, $"on the linear scale the smallest bar is {linear:P1} of the spike");

        await log.CheckAsync();
        await Expect(page.Locator("svg.histogram-plot")).ToHaveAttributeAsync("aria-label", new Regex("logarithmic"));
        var logarithmic = await SmallestToLargestBarAsync(page);
        Assert.True(logarithmic > 0.08, $"on the log scale the smallest bar is only {logarithmic:P1} of the spike");
        await BrowserArtifacts.ScreenshotAsync(page, "search-histogram-log-scale");

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Log scale")).ToBeCheckedAsync();
        await page.GetByLabel("Log scale").UncheckAsync();
    }

    /// <summary>The drawn height of the lowest non-empty bar over that of the highest.</summary>
    private static Task<double> SmallestToLargestBarAsync(IPage page) =>
        page.Locator("svg.histogram-plot").EvaluateAsync<double>("""
            svg => {
              const heights = [...svg.querySelectorAll('g.bucket')].filter(g => +g.dataset.total > 0)
                .map(g => [...g.querySelectorAll('rect:not(.hit)')].reduce((sum, r) => sum + r.height.baseVal.value, 0));
              return Math.min(...heights) / Math.max(...heights);
            }
            """);

    [GeneratedRegex(@"range=custom.*from=.*to=")]
    private static partial Regex CustomRange();

    [GeneratedRegex(@"^[1-9][\d,]* events?$")]
    private static partial Regex EventCount();
}
