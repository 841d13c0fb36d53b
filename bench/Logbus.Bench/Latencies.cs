namespace Logbus.Bench;

/// <summary>Collected durations and their percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<double> _milliseconds = [];

    public int Count => _milliseconds.Count;

    public IReadOnlyList<double> Values => _milliseconds;

    public void Add(TimeSpan duration) => _milliseconds.Add(duration.TotalMilliseconds);

    /// <summary>The value below which <paramref name="percent"/>% of the samples fall (nearest rank).</summary>
    public double Percentile(double percent)
    {
        if (_milliseconds.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _milliseconds.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
