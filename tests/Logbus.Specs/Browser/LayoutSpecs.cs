using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed class LayoutSpecs(BrowserStack stack)
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
}
