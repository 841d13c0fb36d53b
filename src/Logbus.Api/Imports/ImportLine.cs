namespace Logbus.Api.Imports;

/// <summary>
/// One line of an import file and its number (from 1); <see cref="Text"/> is null when the line was longer than the
/// reader's bound, and was skipped rather than read (<see cref="Length"/> still says how long it was).
/// </summary>
public readonly record struct ImportLine(int Number, string? Text, long Length)
{
    public bool TooLong => Text is null;

    /// <summary>Why a line over the bound is rejected, naming the bound's setting.</summary>
    public static string TooLongReason(long length, int maxLength) => TooLongReason(length, maxLength, "characters");

    /// <summary>The same, for a line measured in <paramref name="unit"/>.</summary>
    internal static string TooLongReason(long length, int maxLength, string unit) =>
        $"is {length:N0} {unit} long, over the limit of {maxLength:N0} (Imports:MaxLineLength); it was skipped, not read";
}
