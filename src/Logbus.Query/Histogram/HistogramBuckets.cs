namespace Logbus.Query.Histogram;

/// <summary>
/// Picks the bucket width for a window: the narrowest round width (1 s, 5 s, 1 min, 1 h, 1 day…) whose buckets,
/// aligned to the Unix epoch, cover the window in at most the number asked for.
/// </summary>
public static class HistogramBuckets
{
    private static readonly TimeSpan[] RoundWidths =
    [
        .. new[] { 1, 2, 5, 10, 15, 30 }.Select(s => TimeSpan.FromSeconds(s)),
        .. new[] { 1, 2, 5, 10, 15, 30 }.Select(m => TimeSpan.FromMinutes(m)),
        .. new[] { 1, 2, 3, 6, 12 }.Select(h => TimeSpan.FromHours(h)),
    ];

    public static (DateTimeOffset FirstStart, TimeSpan Width, int Count) Choose(DateTimeOffset from, DateTimeOffset to, int maxBuckets)
    {
        foreach (var width in RoundWidths)
        {
            if (Fit(from, to, width, maxBuckets) is { } fit)
            {
                return fit;
            }
        }

        // Wider windows: whole days, then whole multiples of a day large enough to fit (found without trying each).
        var days = Math.Max(1, (long)Math.Ceiling((to - from).TotalDays / maxBuckets));
        while (true)
        {
            if (Fit(from, to, TimeSpan.FromDays(days), maxBuckets) is { } fit)
            {
                return fit;
            }

            days++;
        }
    }

    /// <summary>The start of the bucket holding <paramref name="time"/>.</summary>
    public static DateTimeOffset Floor(DateTimeOffset time, TimeSpan width)
    {
        var sinceEpoch = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var index = sinceEpoch >= 0 ? sinceEpoch / width.Ticks : -((-sinceEpoch + width.Ticks - 1) / width.Ticks);
        // Bucket starts before the calendar does start with it.
        return new DateTimeOffset(Math.Max(0, DateTimeOffset.UnixEpoch.UtcTicks + (index * width.Ticks)), TimeSpan.Zero);
    }

    private static (DateTimeOffset, TimeSpan, int)? Fit(DateTimeOffset from, DateTimeOffset to, TimeSpan width, int maxBuckets)
    {
        var first = Floor(from, width);
        var count = (to.UtcTicks - first.UtcTicks + width.Ticks - 1) / width.Ticks;
        return count <= maxBuckets ? (first, width, (int)count) : null;
    }
}
