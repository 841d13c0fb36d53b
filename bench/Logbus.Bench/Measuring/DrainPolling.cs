namespace Logbus.Bench.Measuring;

/// <summary>
/// How long a drain wait sleeps before it reads the Workers' counter again. A read of a Worker's <c>/metrics</c> (50-90 kB
/// of text) cost it about 6 ms of CPU (2026-12-08, an idle Worker, 100 reads): read every 100 ms through a drain, that was
/// 0.06 cores taken from what the drain measures. Far from the end the wait sleeps half of what the drain still needs at
/// the rate last seen, at most <see cref="Slowest"/>; within <see cref="Near"/> of the end it reads every
/// <see cref="Fastest"/>, so the moment a drain ends is still known within 100 ms.
/// </summary>
public static class DrainPolling
{
    public static TimeSpan Fastest { get; } = TimeSpan.FromMilliseconds(100);

    public static TimeSpan Slowest { get; } = TimeSpan.FromSeconds(1);

    public static TimeSpan Near { get; } = TimeSpan.FromSeconds(1);

    /// <param name="remaining">Events still to be stored.</param>
    /// <param name="eventsPerSecond">The rate seen between the last two reads; 0 or less when nothing moved.</param>
    public static TimeSpan NextDelay(long remaining, double eventsPerSecond)
    {
        if (remaining <= 0)
        {
            return Fastest;
        }

        if (eventsPerSecond <= 0)
        {
            // Nothing moved: a Worker catching its breath, or a stall the wait reports. Neither needs reading 10 times a second.
            return Slowest;
        }

        // In seconds as a double: a large backlog at a crawl is more seconds than a TimeSpan holds.
        var needed = remaining / eventsPerSecond;
        return needed <= Near.TotalSeconds
            ? Fastest
            : TimeSpan.FromSeconds(Math.Clamp(needed / 2, Fastest.TotalSeconds, Slowest.TotalSeconds));
    }
}
