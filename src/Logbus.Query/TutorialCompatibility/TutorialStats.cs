namespace Logbus.Query.TutorialCompatibility;

/// <summary>The tutorial's statistics answer. Every count covers the same window, <c>since</c> to <c>until</c>.</summary>
public sealed record TutorialStats(
    long TotalLogs,
    IReadOnlyDictionary<string, long> LevelCounts,
    IReadOnlyDictionary<string, long> SourceCounts,
    TutorialTimeRange TimeRange);

public sealed record TutorialTimeRange(DateTimeOffset Since, DateTimeOffset Until);
