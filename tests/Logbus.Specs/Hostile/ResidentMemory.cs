using System.Globalization;

namespace Logbus.Specs.Hostile;

/// <summary>
/// Resident memory of a process from <c>/proc/PID/status</c>. The peak (VmHWM) is reset at the start of a measurement
/// (<c>clear_refs</c> 5), so a spike that the GC gave back before the request ended still counts.
/// </summary>
internal sealed class ResidentMemory
{
    private readonly int _processId;
    private readonly double _before;

    private ResidentMemory(int processId)
    {
        _processId = processId;
        ResetPeak(processId);
        _before = Read(processId, "VmRSS:");
    }

    public static ResidentMemory Measure(int processId) => new(processId);

    /// <summary>How far above the resident size at the start the process went (its peak since then), in MB.</summary>
    public double PeakGrowthMegabytes() => Math.Max(Read(_processId, "VmHWM:"), Read(_processId, "VmRSS:")) - _before;

    private static void ResetPeak(int processId)
    {
        try
        {
            File.WriteAllText($"/proc/{processId}/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A kernel without peak reset: the peak then is the process's lifetime peak, which only overstates growth.
        }
    }

    /// <summary>A line such as <c>VmRSS:   123456 kB</c>, in MB.</summary>
    private static double Read(int processId, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kilobytes = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new InvalidOperationException($"/proc/{processId}/status has no {field}");
    }
}
