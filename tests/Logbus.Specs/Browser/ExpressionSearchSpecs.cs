using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed class ExpressionSearchSpecs(BrowserStack stack)
{
    [Fact]
    public async Task Typing_an_expression_narrows_the_results_and_the_url()
    {
        var page = await stack.OpenAsync("/?range=1h");
        var rows = page.Locator("tbody tr.row");
        await Expect(rows).ToHaveCountAsync(50);
        var box = page.GetByLabel("Filter", new() { Exact = true });

        const string errorsWithTimeout = "@Level = 'ERROR' and \"timeout\"";
        await box.FillAsync(errorsWithTimeout);
        await box.PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(SeedEvents.TimeoutErrors);
        await Expect(page.Locator("tbody tr.row .badge")).ToHaveTextAsync(Enumerable.Repeat("ERROR", SeedEvents.TimeoutErrors).ToArray());
        Assert.Equal(errorsWithTimeout, FilterInUrl(page));
        // The shortcut fields read their clauses back from the expression.
        await Expect(page.GetByLabel("ERROR", new() { Exact = true })).ToBeCheckedAsync();
        await Expect(page.GetByLabel("Text", new() { Exact = true })).ToHaveValueAsync("timeout");

        // Metadata properties by name: billing in region eu is i = 4, 10, ..., 58; of those, all but 10 and 40 handle requests.
        await box.FillAsync("region = 'eu' and @Source = 'billing' and @Message like 'request%'");
        await box.PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(8);
        await Expect(page.Locator("tbody tr.row td.col-source")).ToHaveTextAsync(Enumerable.Repeat("billing", 8).ToArray());
        await Expect(page.GetByLabel("Metadata")).ToHaveValueAsync("region=eu");
        await BrowserArtifacts.ScreenshotAsync(page, "search-expression");

        // The address is the search.
        var shared = await stack.OpenAsync(new Uri(page.Url).PathAndQuery);
        await Expect(shared.Locator("tbody tr.row")).ToHaveCountAsync(8);
        await Expect(shared.GetByLabel("Filter", new() { Exact = true }))
            .ToHaveValueAsync("region = 'eu' and @Source = 'billing' and @Message like 'request%'");

        await page.GoBackAsync();
        await Expect(rows).ToHaveCountAsync(SeedEvents.TimeoutErrors);
    }

    [Fact]
    public async Task Shortcut_fields_write_their_clause_into_the_expression_and_keep_the_rest()
    {
        var page = await stack.OpenAsync("/?range=1h");
        var rows = page.Locator("tbody tr.row");
        var box = page.GetByLabel("Filter", new() { Exact = true });
        await box.FillAsync("\"timeout\" and not @Source = 'checkout'");
        await box.PressAsync("Enter");
        // Timeouts are i = 0, 10, ..., 50; checkout has i = 0 and 30.
        await Expect(rows).ToHaveCountAsync(SeedEvents.Timeouts - 2);

        await page.GetByLabel("ERROR", new() { Exact = true }).CheckAsync();
        const string withError = "not @Source = 'checkout' and @Level = 'ERROR' and \"timeout\"";
        await Expect(box).ToHaveValueAsync(withError);
        await Expect(rows).ToHaveCountAsync(2);
        Assert.Equal(withError, FilterInUrl(page));

        await page.GetByLabel("ERROR", new() { Exact = true }).UncheckAsync();
        await Expect(box).ToHaveValueAsync("not @Source = 'checkout' and \"timeout\"");
        await Expect(rows).ToHaveCountAsync(SeedEvents.Timeouts - 2);
    }

    [Fact]
    public async Task A_malformed_expression_is_shown_with_its_position()
    {
        var page = await stack.OpenAsync("/?range=1h");
        var box = page.GetByLabel("Filter", new() { Exact = true });
        const string malformed = "@Level = 'ERROR' and and";
        await box.FillAsync(malformed);
        await box.PressAsync("Enter");

        var error = page.Locator(".filter-error");
        await Expect(error).ToContainTextAsync("column");
        await Expect(box).ToHaveAttributeAsync("aria-invalid", "");
        var caret = error.Locator("pre.caret");
        var column = int.Parse((await caret.GetAttributeAsync("data-column"))!, System.Globalization.CultureInfo.InvariantCulture);
        await Expect(error.Locator("p")).ToContainTextAsync($"column {column}");
        Assert.StartsWith("and", malformed[(column - 1)..], StringComparison.Ordinal);
        Assert.Equal($"{malformed}\n{new string(' ', column - 1)}^", await caret.TextContentAsync());
        await Expect(page.Locator("tbody tr.row")).ToHaveCountAsync(0);
        await BrowserArtifacts.ScreenshotAsync(page, "search-expression-error");

        await box.FillAsync("@Level = 'ERROR'");
        await box.PressAsync("Enter");
        await Expect(error).ToBeHiddenAsync();
        await Expect(page.Locator("tbody tr.row").First).ToBeVisibleAsync();
    }

    private static string FilterInUrl(IPage page) => System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query)["filter"] ?? "";
}
