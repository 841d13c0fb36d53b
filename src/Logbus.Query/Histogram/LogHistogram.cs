namespace Logbus.Query.Histogram;

/// <summary>
/// Matching events in <c>[From, To)</c> counted per level in buckets of <see cref="BucketSeconds"/>. The buckets are
/// consecutive and cover the window; the first starts at or before <see cref="From"/> (bucket starts are whole multiples
/// of the width since the Unix epoch, so the bars of a wider and a narrower window line up).
/// </summary>
public sealed record LogHistogram(
    DateTimeOffset From,
    DateTimeOffset To,
    long BucketSeconds,
    long Total,
    IReadOnlyDictionary<string, long> ByLevel,
    IReadOnlyList<HistogramBucket> Buckets);

/// <summary>The events of one bucket, by level (levels without events are left out).</summary>
public sealed record HistogramBucket(DateTimeOffset Start, long Total, IReadOnlyDictionary<string, long> Counts);
