using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed class LiveTailSpecs(BrowserStack stack)
{
    [Fact]
    public async Task Live_tail_shows_an_event_ingested_while_it_runs()
    {
        var page = await stack.OpenAsync("/?source=tail-spec");
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("No events match");
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Live tail" });
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator(".tail-state")).ToContainTextAsync("Live");
        Assert.Contains("tail=on", page.Url, StringComparison.Ordinal);

        // The tail reports what arrives after its first look at the table, and the page cannot see when that look
        // happened; an event that landed before it would be history. So events are sent until one shows up: a tail
        // that shows none of them fails.
        var fresh = page.Locator("tbody tr.row.fresh");
        var sent = new List<string>();
        for (var attempt = 0; attempt < 6 && await fresh.CountAsync() == 0; attempt++)
        {
            var id = $"tail-{Guid.NewGuid():N}"[..20];
            sent.Add(id);
            await stack.IngestAsync(new { id, level = "WARN", message = $"tailed while watching {id}", source = "tail-spec",
                metadata = new { attempt } });
            await stack.WaitForStoredAsync(id);
            try
            {
                await Expect(fresh).Not.ToHaveCountAsync(0, new() { Timeout = 5_000 });
            }
            catch (PlaywrightException)
            {
                // Not shown yet: send another.
            }
        }

        await Expect(fresh.First).ToContainTextAsync("tailed while watching");
        var shown = await fresh.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");
        Assert.All(shown, id => Assert.Contains(id, sent));
        await BrowserArtifacts.ScreenshotAsync(page, "search-live-tail");

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
    }
}
