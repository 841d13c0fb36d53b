extern alias query;

using System.Net;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Query;

[Trait("Kind", "Integration")]
public sealed class WebUiSpecs
{
    [Fact]
    public async Task Without_a_built_ui_the_service_starts_and_its_page_says_how_to_build_it()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var empty = Directory.CreateTempSubdirectory("logbus-no-ui");
        try
        {
            var settings = ServiceSettings.For(db);
            settings["WebUi:Root"] = empty.FullName;
            await using var service = new ServiceFactory<query::Program>(settings);
            using var client = service.CreateClient();

            var page = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.Contains("npm ci &amp;&amp; npm run build", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/imports")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/query/logs")).StatusCode);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_built_ui_is_served_with_its_pages_revalidated_and_its_hashed_assets_cached_for_good()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var root = Directory.CreateTempSubdirectory("logbus-ui");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "assets"));
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "index.html"),
                "<!doctype html><title>explorer</title><script src=\"/assets/app-abc123.js\"></script>");
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "assets", "app-abc123.js"), "console.log('explorer')");
            var settings = ServiceSettings.For(db);
            settings["WebUi:Root"] = root.FullName;
            await using var service = new ServiceFactory<query::Program>(settings);
            using var client = service.CreateClient();

            foreach (var path in new[] { "/", "/imports" })
            {
                var page = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                Assert.Contains("<title>explorer</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.True(page.Headers.CacheControl?.NoCache, $"{path} should be revalidated on every visit");
            }

            var asset = await client.GetAsync("/assets/app-abc123.js");
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(TimeSpan.FromDays(365), asset.Headers.CacheControl?.MaxAge);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/assets/missing.js")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/query/nothing-here")).StatusCode);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
