namespace Logbus.Contracts;

/// <summary>An upload began: the import saga starts tracking it. Keyed by the import id on the imports topic.</summary>
/// <param name="Format">ndjson, clef or csv.</param>
public sealed record ImportStarted(Guid ImportId, string? FileName, string Format, DateTimeOffset StartedAt);
