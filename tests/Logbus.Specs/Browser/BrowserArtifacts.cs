using Logbus.Specs.Infrastructure;
using Microsoft.Playwright;

namespace Logbus.Specs.Browser;

internal static class BrowserArtifacts
{
    /// <summary>Screenshots of every page the specs visit: <c>.logbus/test-results/browser/</c>.</summary>
    public static string Folder { get; } = Directory.CreateDirectory(Path.Combine(RepositoryPaths.Root, ".logbus", "test-results", "browser"))
        .FullName;

    /// <summary>Debian's Chromium (or <c>LOGBUS_CHROMIUM</c>): Playwright drives it rather than a browser build of its own.</summary>
    public static string Chromium()
    {
        var path = Environment.GetEnvironmentVariable("LOGBUS_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(path), $"No Chromium at {path}. ./logbus test installs Debian's chromium package; or apt-get install chromium, or " +
            "set LOGBUS_CHROMIUM.");
        return path;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, name + ".png"), FullPage = true });
}
