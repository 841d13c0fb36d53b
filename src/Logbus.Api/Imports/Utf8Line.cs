namespace Logbus.Api.Imports;

/// <summary>
/// One line of an NDJSON or CLEF upload as UTF-8 bytes, and its number (from 1). <see cref="Bytes"/> lie in the reader's
/// buffer and are valid until the next line is read; they are null when the line was longer than the reader's bound and
/// was skipped rather than read (<see cref="Length"/> still says how long it was).
/// </summary>
public readonly record struct Utf8Line(int Number, ReadOnlyMemory<byte>? Bytes, long Length)
{
    public bool TooLong => Bytes is null;

    /// <summary>Whether the line holds nothing but blanks (spaces, tabs): such lines are passed over, as empty ones.</summary>
    public bool IsBlank => Bytes is { } bytes && bytes.Span.IndexOfAnyExcept(" \t\f\v"u8) < 0;

    /// <summary>Why a line over the bound is rejected, naming the bound's setting.</summary>
    public static string TooLongReason(long length, int maxLength) => ImportLine.TooLongReason(length, maxLength, "bytes");
}
