namespace Logbus.Query.WebUi;

/// <summary>Finds the built UI: the first candidate folder that holds an <c>index.html</c>.</summary>
internal static class WebUiFiles
{
    public static IReadOnlyList<string> Candidates(WebUiOptions options, string contentRoot) =>
        options.Root is { Length: > 0 } configured
            ? [Path.GetFullPath(configured, contentRoot)]
            : [Path.Combine(AppContext.BaseDirectory, "ui"), Path.Combine(contentRoot, "web", "dist")];

    public static string? Find(IReadOnlyList<string> candidates) =>
        candidates.FirstOrDefault(folder => File.Exists(Path.Combine(folder, "index.html")));
}
