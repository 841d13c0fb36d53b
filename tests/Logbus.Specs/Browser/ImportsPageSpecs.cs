using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Logbus.Specs.Browser;

[Collection("browser")]
[Trait("Kind", "Browser")]
public sealed class ImportsPageSpecs(BrowserStack stack)
{
    [Fact]
    public async Task An_imports_progress_reaches_completed()
    {
        const int lines = 500;
        var now = DateTimeOffset.UtcNow;
        var file = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            file.Append(JsonSerializer.Serialize(new { id = $"import-{i:D5}", timestamp = now.AddMinutes(-30).AddMilliseconds(i), level = "INFO",
                message = $"imported line {i}" })).Append('\n');
        }

        using var content = new StringContent(file.ToString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        var response = await stack.Api.PostAsync("/api/imports?source=browser-import", content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var importId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetString()!;

        var page = await stack.OpenAsync("/imports");
        var card = page.Locator($"li.import[data-id='{importId}']");
        await Expect(card).ToBeVisibleAsync();
        await BrowserArtifacts.ScreenshotAsync(page, "imports");

        await Expect(card).ToHaveAttributeAsync("data-state", "Completed", new() { Timeout = 90_000 });
        var bar = card.GetByRole(AriaRole.Progressbar);
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(card).ToContainTextAsync($"{lines} stored");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToHaveCountAsync(0);
        await BrowserArtifacts.ScreenshotAsync(page, "imports-completed");
    }
}
