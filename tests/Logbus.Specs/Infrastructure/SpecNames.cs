namespace Logbus.Specs.Infrastructure;

/// <summary>Names no other spec uses: topics and consumer groups on the shared broker.</summary>
internal static class SpecNames
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
