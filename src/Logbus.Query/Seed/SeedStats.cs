namespace Logbus.Query.Seed;

/// <summary>The seed's statistics answer. Every count covers the same window, <c>since</c> to <c>until</c>.</summary>
public sealed record SeedStats(
    long TotalLogs,
    IReadOnlyDictionary<string, long> LevelCounts,
    IReadOnlyDictionary<string, long> SourceCounts,
    SeedTimeRange TimeRange);

public sealed record SeedTimeRange(DateTimeOffset Since, DateTimeOffset Until);
