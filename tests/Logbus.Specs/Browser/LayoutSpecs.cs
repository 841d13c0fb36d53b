using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed partial class LayoutSpecs(BrowserStack stack)
{
    [Fact]
    public async Task The_theme_switches_to_dark_and_is_remembered()
    {
        var page = await stack.OpenAsync("/");
        var html = page.Locator("html");
        await Expect(html).ToHaveAttributeAsync("data-theme", "light");
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" }).ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        var background = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(17, 20, 24)", background);

        await page.ReloadAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(page.Locator("tbody tr.row").First).ToBeVisibleAsync();
        await BrowserArtifacts.ScreenshotAsync(page, "search-dark");
    }

    [Fact]
    public async Task The_system_dark_preference_is_the_default()
    {
        var page = await stack.OpenAsync("/imports", colorScheme: "dark");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Imports" })).ToBeVisibleAsync();
        await BrowserArtifacts.ScreenshotAsync(page, "imports-dark");
    }

    [Fact]
    public async Task On_a_phone_the_page_fits_the_screen_and_every_control_is_labelled()
    {
        var page = await stack.OpenAsync("/", width: 390, height: 844);
        await Expect(page.Locator("tbody tr.row").First).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than a phone's screen");
        await BrowserArtifacts.ScreenshotAsync(page, "search-phone");

        var unlabelled = await page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('input, select, button')]
              .filter(e => !e.labels?.length && !e.getAttribute('aria-label') && !e.textContent.trim())
              .map(e => e.outerHTML)
            """);
        Assert.Empty(unlabelled);
    }

    [Fact]
    public async Task Sources_with_hyphens_stay_on_one_line_and_rows_keep_one_height()
    {
        var page = await stack.OpenAsync("/", width: 1024, height: 800);
        await Expect(page.Locator("tbody tr.row td.col-source", new() { HasText = "search-api" }).First).ToBeVisibleAsync();
        var lines = await page.Locator("tbody tr.row td.col-source").EvaluateAllAsync<int[]>("""
            cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);
              return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; })
            """);
        Assert.All(lines, n => Assert.Equal(1, n));
        var heights = await page.Locator("tbody tr.row").EvaluateAllAsync<double[]>("rows => rows.map(r => r.getBoundingClientRect().height)");
        Assert.True(heights.Max() - heights.Min() < 1, $"row heights range from {heights.Min()} to {heights.Max()} px");
    }

    [Fact]
    public async Task Times_have_one_format_with_the_zone_shown_and_switch_to_utc_remembered()
    {
        var page = await stack.OpenAsync("/", timeZone: "Asia/Tokyo");
        var header = page.Locator("th.col-time");
        await Expect(header).ToContainTextAsync("(Asia/Tokyo, UTC+09:00)");
        var first = page.Locator("tbody tr.row time").First;
        await Expect(first).ToBeVisibleAsync();
        await AssertShownInAsync(first, TimeSpan.FromHours(9));

        var utc = page.GetByRole(AriaRole.Button, new() { Name = "UTC", Exact = true });
        await utc.ClickAsync();
        await Expect(utc).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(header).ToContainTextAsync("(UTC)");
        await AssertShownInAsync(first, TimeSpan.Zero);
        await Expect(page.Locator("figure.histogram-chart figcaption")).ToContainTextAsync("times in UTC");

        await page.ReloadAsync();
        await Expect(page.Locator("th.col-time")).ToContainTextAsync("(UTC)");
        var row = page.Locator("tbody tr.row").First;
        await AssertShownInAsync(row.Locator("time"), TimeSpan.Zero);
        await row.ClickAsync();
        var detailTime = page.Locator("tr.detail:not([hidden]) dd time").First;
        var iso = (await detailTime.GetAttributeAsync("datetime"))!;
        await Expect(detailTime).ToHaveTextAsync($"{Format(iso, TimeSpan.Zero)} (UTC)");

        // A custom range is typed in the zone shown too.
        var custom = await stack.OpenAsync("/?range=custom&from=2026-01-02T03:04:05.000Z", timeZone: "Asia/Tokyo");
        await Expect(custom.GetByLabel("From", new() { Exact = true })).ToHaveValueAsync("2026-01-02T12:04:05");
        await custom.GetByRole(AriaRole.Button, new() { Name = "UTC", Exact = true }).ClickAsync();
        await Expect(custom.GetByLabel("From", new() { Exact = true })).ToHaveValueAsync("2026-01-02T03:04:05");
        await Expect(custom.Locator(".custom-range .zone-note")).ToHaveTextAsync("Times in UTC");
    }

    [Fact]
    public async Task On_a_phone_the_filters_fold_away_and_the_results_start_on_the_first_screen()
    {
        var page = await stack.OpenAsync("/", width: 390, height: 844);
        var firstRow = page.Locator("tbody tr.row").First;
        await Expect(firstRow).ToBeVisibleAsync();
        var filters = page.GetByRole(AriaRole.Button, new() { Name = "Filters" });
        await Expect(filters).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(page.GetByLabel("Metadata")).ToBeHiddenAsync();
        var rowBox = (await firstRow.BoundingBoxAsync())!;
        Assert.True(rowBox.Y + rowBox.Height <= 844, $"the first result ends {rowBox.Y + rowBox.Height} px down a 844 px screen");

        var share = await page.EvaluateAsync<double>("""
            document.querySelector('tbody tr.row td.col-time').getBoundingClientRect().width
              / document.querySelector('table.results').getBoundingClientRect().width
            """);
        Assert.True(share < 0.35, $"the time column takes {share:P0} of the table's width");
        await BrowserArtifacts.ScreenshotAsync(page, "search-phone-folded");

        await filters.ClickAsync();
        await Expect(filters).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.GetByLabel("Metadata")).ToBeVisibleAsync();
        await BrowserArtifacts.ScreenshotAsync(page, "search-phone-filters");
    }

    [Fact]
    public async Task The_address_can_name_the_theme_and_searches_keep_it()
    {
        var page = await stack.OpenAsync("/?theme=dark&range=1h");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await page.GetByLabel("ERROR", new() { Exact = true }).CheckAsync();
        await Expect(page).ToHaveURLAsync(ThemeAndLevel());
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");

        // Named by a link, the theme is not remembered: the same browser without it gets the system's choice.
        await page.GotoAsync("/");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
        await page.GotoAsync("/?theme=light");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
    }

    private static async Task AssertShownInAsync(ILocator time, TimeSpan offset)
    {
        var iso = (await time.GetAttributeAsync("datetime"))!;
        await Expect(time).ToHaveTextAsync(Format(iso, offset));
    }

    private static string Format(string iso, TimeSpan offset) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).ToOffset(offset).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    [GeneratedRegex("theme=dark.*filter=|filter=.*theme=dark")]
    private static partial Regex ThemeAndLevel();
}
