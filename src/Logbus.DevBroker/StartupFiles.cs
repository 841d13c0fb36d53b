namespace Logbus.DevBroker;

/// <summary>Files the broker writes for whoever started it; each appears whole or not at all.</summary>
internal static class StartupFiles
{
    public static async Task WriteAsync(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path + ".tmp", content);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
