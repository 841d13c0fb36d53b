using System.ComponentModel.DataAnnotations;

namespace Logbus.Query.Histogram;

/// <summary>How finely the histogram may divide a window (section <c>Histogram</c>).</summary>
public sealed class HistogramOptions
{
    public const string Section = "Histogram";

    /// <summary>
    /// The most buckets a client may ask for (<c>buckets</c>). Every bucket is one row of the answer, empty or not, so
    /// this bounds the answer's size whatever the window.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxBuckets { get; set; } = 500;

    /// <summary>Buckets when the client does not say: enough bars to read a trend on a wide screen.</summary>
    [Range(1, 10_000)]
    public int DefaultBuckets { get; set; } = 60;
}
