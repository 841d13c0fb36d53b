namespace Logbus.Testing;

/// <summary>The repository's root folder, where the built services are found under <c>src/</c>.</summary>
public static class RepositoryRoot
{
    /// <summary><c>LOGBUS_ROOT</c> when set (<c>./logbus bench</c> sets it), else the nearest folder up holding Logbus.sln.</summary>
    public static string Folder { get; } =
        Environment.GetEnvironmentVariable("LOGBUS_ROOT") is { Length: > 0 } configured ? configured : FindUp(AppContext.BaseDirectory);

    private static string FindUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Logbus.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {start} holds Logbus.sln; set LOGBUS_ROOT to the repository's root.");
    }
}
