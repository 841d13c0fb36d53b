extern alias query;

using Logbus.Specs.Infrastructure;
using Logbus.Specs.Security;
using Logbus.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

/// <summary>The explorer against a Query that requires keys: the prompt, a search and a tail with a read key, the prompt again.</summary>
[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed class ApiKeyPromptSpecs(BrowserStack stack)
{
    [Fact]
    public async Task The_explorer_asks_for_a_read_key_searches_and_tails_with_it_within_its_sources_and_asks_again_after_a_wrong_key()
    {
        var settings = KeySettings.For(stack.Database);
        settings["Cache:KeyPrefix"] = $"{stack.Database.Name}:keys:";
        settings["ApiKeys:Keys:5:Name"] = "checkout-reader";
        settings["ApiKeys:Keys:5:Sha256"] = KeySettings.Hash("checkout-secret");
        settings["ApiKeys:Keys:5:Scopes:0"] = "read";
        settings["ApiKeys:Keys:5:Sources:0"] = "checkout";
        var port = FreePort.Next();
        await using var keyed = new ServiceFactory<query::Program>(settings);
        keyed.UseKestrel(port);
        keyed.StartServer();
        var context = await stack.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://127.0.0.1:{port}" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "API key" });
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByLabel("API key").FillAsync("a-wrong-key");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use this key" }).ClickAsync();
        await Expect(dialog).ToContainTextAsync("did not accept");
        await BrowserArtifacts.ScreenshotAsync(page, "api-key-prompt");
        await dialog.GetByLabel("API key").FillAsync("checkout-secret");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use this key" }).ClickAsync();

        await Expect(dialog).Not.ToBeVisibleAsync();
        await Expect(page.GetByTestId("api-key-name")).ToContainTextAsync("Key: checkout-reader · sources: checkout");
        var sources = page.Locator("tbody tr.row td.col-source");
        await Expect(sources.First).ToHaveTextAsync("checkout");
        Assert.All(await sources.AllTextContentsAsync(), source => Assert.Equal("checkout", source));

        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Live tail" });
        await toggle.ClickAsync();
        await Expect(page.Locator(".tail-state")).ToContainTextAsync("Live");
        var fresh = page.Locator("tbody tr.row.fresh");
        for (var attempt = 0; attempt < 6 && await fresh.CountAsync() == 0; attempt++)
        {
            var id = $"keyed-{Guid.NewGuid():N}"[..20];
            await stack.IngestAsync(new { id = id + "-b", message = "not for this key", source = "billing" },
                new { id, message = $"tailed with a key {id}", source = "checkout" });
            await stack.WaitForStoredAsync(id);
            try
            {
                await Expect(fresh).Not.ToHaveCountAsync(0, new() { Timeout = 5_000 });
            }
            catch (PlaywrightException)
            {
                // The tail had not looked at the table yet: send another.
            }
        }

        await Expect(fresh.First).ToContainTextAsync("tailed with a key");
        Assert.All(await fresh.Locator("td.col-source").AllTextContentsAsync(), source => Assert.Equal("checkout", source));
        await BrowserArtifacts.ScreenshotAsync(page, "api-key-tail");

        // A key revoked or mistyped later: the next call's 401 brings the prompt back.
        await page.EvaluateAsync("() => sessionStorage.setItem('logbus.apiKey', 'revoked')");
        await page.ReloadAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await context.CloseAsync();
    }
}
