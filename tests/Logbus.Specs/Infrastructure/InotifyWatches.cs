using System.Diagnostics;
using System.Globalization;

namespace Logbus.Specs.Infrastructure;

/// <summary>What this process watches through inotify, read from the kernel's account of its file descriptors.</summary>
public static class InotifyWatches
{
    /// <summary>The inode of every folder or file an inotify instance of this process watches.</summary>
    public static HashSet<long> OfThisProcess()
    {
        var inodes = new HashSet<long>();
        foreach (var descriptor in Directory.EnumerateFiles("/proc/self/fdinfo"))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(descriptor);
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }

            // One line per watch: "inotify wd:3 ino:1a2b sdev:… mask:…", the inode in hexadecimal.
            foreach (var line in lines.Where(l => l.StartsWith("inotify ", StringComparison.Ordinal)))
            {
                var field = line.Split(' ').Single(f => f.StartsWith("ino:", StringComparison.Ordinal));
                inodes.Add(long.Parse(field["ino:".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return inodes;
    }

    public static async Task<long> InodeOfAsync(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var output = await stat.StandardOutput.ReadToEndAsync();
        await stat.WaitForExitAsync();
        Assert.True(stat.ExitCode == 0, $"stat {path} exited with {stat.ExitCode}");
        return long.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
