namespace Logbus.ServiceDefaults.Security;

/// <summary>
/// Calls back once a file has settled after it was written, replaced, created or deleted, watching its own folder and
/// no folder below it. A configuration file provider's watch covers every folder below the file's; the local stack keeps
/// PostgreSQL's data and the services' logs below the key file's folder, so each of their writes woke every service.
/// </summary>
internal sealed class KeyFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _settled;
    private readonly TimeSpan _settle;

    /// <param name="path">The file, by its full path; its folder must exist.</param>
    /// <param name="settle">How long the file must stay untouched before <paramref name="changed"/> runs, so a file
    /// written in several steps is read once, whole.</param>
    /// <param name="changed">Runs on a timer thread.</param>
    public KeyFileWatcher(string path, TimeSpan settle, Action changed)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The folder of the API key file {path} (ApiKeys:File) does not exist.");
        }

        _settle = settle;
        _settled = new Timer(_ => changed(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(folder, Path.GetFileName(path))
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += Touched;
        _watcher.Created += Touched;
        _watcher.Deleted += Touched;
        _watcher.Renamed += Touched;
        // Events lost to an overflow may have been the file's: read it again.
        _watcher.Error += Touched;
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _settled.Dispose();
    }

    private void Touched(object? sender, EventArgs e) => _settled.Change(_settle, Timeout.InfiniteTimeSpan);
}
