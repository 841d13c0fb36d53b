namespace Logbus.Query.Sources;

/// <summary>A source that sent events in the window, and when it last did.</summary>
public sealed record SourceSummary(string Source, DateTimeOffset LastSeen);
