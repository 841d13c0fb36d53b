namespace Logbus.Query.Stats;

/// <summary>Counts of the events in <c>[From, To)</c>: total, by level, by source, and over time.</summary>
/// <param name="BucketMinutes">Width of each <see cref="Timeline"/> point: 1 up to 24 h, wider beyond (at most 1,440 points).</param>
public sealed record LogStats(
    DateTimeOffset From,
    DateTimeOffset To,
    long Total,
    IReadOnlyDictionary<string, long> ByLevel,
    IReadOnlyList<SourceCount> BySource,
    int BucketMinutes,
    IReadOnlyList<TimelinePoint> Timeline);

public sealed record SourceCount(string Source, long Count);

/// <summary>Events per level in the bucket starting at <paramref name="Start"/>.</summary>
public sealed record TimelinePoint(DateTimeOffset Start, IReadOnlyDictionary<string, long> Counts);
