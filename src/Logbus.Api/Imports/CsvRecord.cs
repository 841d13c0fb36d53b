namespace Logbus.Api.Imports;

/// <summary>
/// One CSV record and the line it starts on; or, when <paramref name="Unreadable"/> is set, why the record at that
/// line could not be read (no record follows it).
/// </summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, string? Unreadable = null);
