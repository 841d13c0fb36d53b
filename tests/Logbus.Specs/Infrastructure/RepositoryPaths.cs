namespace Logbus.Specs.Infrastructure;

/// <summary>Where the repository and its git-ignored <c>.logbus/</c> folder are.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The folder for this test run's private servers: <c>.logbus/test/&lt;run&gt;</c>.</summary>
    public static string RunFolder { get; } = CreateRunFolder();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Logbus.sln")))
            {
                return dir.FullName;
            }
        }

        return Path.GetTempPath();
    }

    private static string CreateRunFolder()
    {
        var folder = Path.Combine(Root, ".logbus", "test", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
