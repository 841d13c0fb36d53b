namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>Bucket boundaries for Logbus's histograms, given to each instrument as advice and exported as its <c>le</c> labels.</summary>
public static class HistogramBuckets
{
    /// <summary>The boundaries Prometheus client libraries use when a histogram names none; the tutorial's histograms have them.</summary>
    public static IReadOnlyList<double> ClientDefault { get; } = [.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10];

    /// <summary><paramref name="count"/> boundaries from <paramref name="start"/>, each twice the one before.</summary>
    public static IReadOnlyList<double> Doubling(decimal start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        // In decimal, as the Prometheus client library computed the buckets these histograms had before, so the le
        // labels are the very ones the dashboards have always seen.
        var boundaries = new double[count];
        for (var (i, next) = (0, start); i < count; i++, next *= 2)
        {
            boundaries[i] = (double)next;
        }

        return boundaries;
    }
}
