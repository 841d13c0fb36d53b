using System.Diagnostics;

namespace Logbus.Bench.Outbox;

/// <summary>Counts arrivals and remembers when the first and the last came, for a rate that excludes start-up.</summary>
internal sealed class Arrivals
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _expected;
    private int _count;
    private long _first;
    private long _last;

    public Arrivals(int expected) => _expected = expected;

    public int Count => Volatile.Read(ref _count);

    public void Arrived()
    {
        var now = Stopwatch.GetTimestamp();
        var count = Interlocked.Increment(ref _count);
        if (count == 1)
        {
            Interlocked.Exchange(ref _first, now);
        }

        if (count == _expected)
        {
            Interlocked.Exchange(ref _last, now);
            _all.TrySetResult();
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _all.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Only {Count} of {_expected} arrived within {timeout}.");
        }
    }

    /// <summary>Arrivals per second between the first and the last.</summary>
    public double Rate => (_expected - 1) / Stopwatch.GetElapsedTime(_first, _last).TotalSeconds;
}
