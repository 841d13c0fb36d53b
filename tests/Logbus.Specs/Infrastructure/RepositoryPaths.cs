namespace Logbus.Specs.Infrastructure;

/// <summary>Where the repository and its git-ignored <c>.logbus/</c> folder are.</summary>
internal static class RepositoryPaths
{
    /// <summary>The build the specs run against, services included: <c>./logbus test</c> builds Debug.</summary>
    public const string Configuration = "Debug";

    public static string Root => RepositoryRoot.Folder;

    /// <summary>The folder for this test run's private servers: <c>.logbus/test/&lt;run&gt;</c>.</summary>
    public static string RunFolder { get; } = CreateRunFolder();

    private static string CreateRunFolder()
    {
        var folder = Path.Combine(Root, ".logbus", "test", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
