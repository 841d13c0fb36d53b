using System.Runtime.InteropServices;

namespace Logbus.Bench;

internal static class MachineDescription
{
    /// <summary>One line naming the machine, so figures are never read apart from where they came from.</summary>
    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"Machine: {Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory:0} GiB, " +
            $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
