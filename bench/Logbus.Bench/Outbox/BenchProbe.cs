namespace Logbus.Bench.Outbox;

/// <summary>Where one measurement's consumers report.</summary>
internal sealed class BenchProbe(int expected)
{
    public Arrivals Work { get; } = new(expected);

    public Arrivals Events { get; } = new(expected);
}
