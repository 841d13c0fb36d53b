using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed partial class SearchPageSpecs(BrowserStack stack)
{
    [Fact]
    public async Task A_search_narrows_the_results_and_its_url_brings_the_same_search_back()
    {
        var page = await stack.OpenAsync("/");
        var rows = page.Locator("tbody tr.row");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(page.Locator(".stats [data-testid=stats-total]")).Not.ToHaveTextAsync("0");
        await BrowserArtifacts.ScreenshotAsync(page, "search");

        await page.GetByLabel("Text", new() { Exact = true }).FillAsync("timeout");
        await page.GetByLabel("Text", new() { Exact = true }).PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(SeedEvents.Timeouts);
        foreach (var message in await page.Locator("tbody tr.row td.col-message").AllTextContentsAsync())
        {
            Assert.Contains("timeout", message, StringComparison.OrdinalIgnoreCase);
        }

        await page.GetByLabel("ERROR", new() { Exact = true }).CheckAsync();
        await Expect(rows).ToHaveCountAsync(SeedEvents.TimeoutErrors);
        await Expect(page.Locator("tbody tr.row .badge")).ToHaveTextAsync(Enumerable.Repeat("ERROR", SeedEvents.TimeoutErrors).ToArray());
        Assert.Equal("@Level = 'ERROR' and \"timeout\"", FilterInUrl(page));
        await BrowserArtifacts.ScreenshotAsync(page, "search-narrowed");

        // The address is the search: opened afresh, it shows the same results with the same filters filled in.
        var shared = await stack.OpenAsync(new Uri(page.Url).PathAndQuery);
        await Expect(shared.Locator("tbody tr.row")).ToHaveCountAsync(SeedEvents.TimeoutErrors);
        await Expect(shared.GetByLabel("Text", new() { Exact = true })).ToHaveValueAsync("timeout");
        await Expect(shared.GetByLabel("ERROR", new() { Exact = true })).ToBeCheckedAsync();

        // Back in history is the wider search.
        await page.GoBackAsync();
        await Expect(rows).ToHaveCountAsync(SeedEvents.Timeouts);
    }

    [Fact]
    public async Task Metadata_source_and_time_filters_narrow_the_results()
    {
        var page = await stack.OpenAsync("/?range=1h");
        var rows = page.Locator("tbody tr.row");
        await Expect(page.GetByLabel("Time")).ToHaveValueAsync("1h");

        await page.GetByLabel("Metadata").FillAsync("region=eu");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await Expect(page.GetByLabel("Filter", new() { Exact = true })).ToHaveValueAsync("region = 'eu'");
        Assert.Equal("region = 'eu'", FilterInUrl(page));
        await Expect(rows).ToHaveCountAsync(SeedEvents.Count / 2);

        await page.GetByRole(AriaRole.Group, new() { Name = "Sources" }).GetByLabel("billing", new() { Exact = true }).CheckAsync();
        await Expect(page.GetByLabel("Filter", new() { Exact = true })).ToHaveValueAsync("@Source = 'billing' and region = 'eu'");
        Assert.Equal("@Source = 'billing' and region = 'eu'", FilterInUrl(page));
        // Even i with i % 3 == 1: i = 4, 10, 16, ..., 58.
        await Expect(rows).ToHaveCountAsync(10);
        await Expect(page.Locator("tbody tr.row td.col-source")).ToHaveTextAsync(Enumerable.Repeat("billing", 10).ToArray());

        // A custom range that ends before every seeded event shows none of them. Minutes only: the browser writes a
        // datetime-local value with ":00" seconds back without them, and Playwright calls a value read back changed malformed.
        await page.GetByLabel("Time").SelectOptionAsync("custom");
        await page.GetByLabel("From", new() { Exact = true })
            .FillAsync(DateTime.Now.AddDays(-3).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("To", new() { Exact = true })
            .FillAsync(DateTime.Now.AddDays(-2).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("range=custom"));
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("No events match");
        await Expect(rows).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Load_more_follows_the_cursor_to_the_last_page()
    {
        var page = await stack.OpenAsync("/?q=request");
        var rows = page.Locator("tbody tr.row");
        await Expect(rows).ToHaveCountAsync(50);
        var more = page.GetByRole(AriaRole.Button, new() { Name = "Load more" });
        await more.ClickAsync();
        await Expect(rows).ToHaveCountAsync(SeedEvents.Requests);
        await Expect(more).ToBeHiddenAsync();
        var ids = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public async Task Expanding_a_row_shows_its_message_exception_and_metadata()
    {
        var page = await stack.OpenAsync($"/?meta.userId={SeedEvents.DetailedUser}");
        var row = page.Locator($"tbody tr.row[data-id='{SeedEvents.DetailedId}']");
        await Expect(page.Locator("tbody tr.row")).ToHaveCountAsync(1);
        var toggle = row.GetByRole(AriaRole.Button);
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");

        await row.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        var details = page.Locator("tr.detail:not([hidden])");
        await Expect(details.Locator("pre.metadata")).ToContainTextAsync($"\"userId\": \"{SeedEvents.DetailedUser}\"");
        await Expect(details.Locator("pre.metadata")).ToContainTextAsync("\"items\": 3");
        await Expect(details.Locator("pre.exception")).ToContainTextAsync("the cart is empty");
        await Expect(details.Locator("pre.message")).ToHaveTextAsync("request 7 handled with a failure");
        await BrowserArtifacts.ScreenshotAsync(page, "search-row-expanded");

        await toggle.PressAsync("Enter");
        await Expect(details).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_keyboard_reaches_the_search_box_and_moves_between_rows()
    {
        var page = await stack.OpenAsync("/?q=timeout");
        var rows = page.Locator("tbody tr.row");
        await Expect(rows).ToHaveCountAsync(SeedEvents.Timeouts);

        await page.Locator("body").PressAsync("/");
        await Expect(page.GetByLabel("Filter", new() { Exact = true })).ToBeFocusedAsync();

        await rows.Nth(0).GetByRole(AriaRole.Button).FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(rows.Nth(2).GetByRole(AriaRole.Button)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows.Nth(2).GetByRole(AriaRole.Button)).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.Locator("tr.detail:not([hidden]) pre.metadata")).ToContainTextAsync("userId");
    }

    private static string FilterInUrl(IPage page) => System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query)["filter"] ?? "";
}
