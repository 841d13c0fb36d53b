extern alias bench;

using bench::Logbus.Bench.Measuring;

namespace Logbus.Specs.Bench;

/// <summary>
/// How often a benchmark's drain wait reads the Workers' counter: seldom while the end is far (each read costs a Worker
/// CPU the drain measures), every 100 ms once it is near (the end is timed within 100 ms).
/// </summary>
[Trait("Kind", "Unit")]
public sealed class DrainPollingSpecs
{
    [Fact]
    public void A_drain_far_from_its_end_is_read_at_most_once_a_second()
    {
        // 100,000 events left at 20,000 a second: 5 s to go.
        Assert.Equal(DrainPolling.Slowest, DrainPolling.NextDelay(100_000, 20_000));
        Assert.Equal(TimeSpan.FromSeconds(1), DrainPolling.Slowest);
    }

    [Fact]
    public void A_drain_within_a_second_of_its_end_is_read_every_100_ms()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), DrainPolling.NextDelay(15_000, 20_000));
        Assert.Equal(TimeSpan.FromMilliseconds(100), DrainPolling.NextDelay(1, 20_000));
    }

    [Fact]
    public void Between_the_two_it_sleeps_half_of_what_the_drain_still_needs()
    {
        // 30,000 left at 20,000 a second: 1.5 s to go, so the next read in 0.75 s.
        Assert.Equal(TimeSpan.FromMilliseconds(750), DrainPolling.NextDelay(30_000, 20_000));
    }

    [Fact]
    public void A_huge_backlog_at_a_crawl_is_read_once_a_second() =>
        Assert.Equal(DrainPolling.Slowest, DrainPolling.NextDelay(long.MaxValue, 1e-9));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    public void A_drain_that_did_not_move_is_read_once_a_second(double rate) =>
        Assert.Equal(DrainPolling.Slowest, DrainPolling.NextDelay(1_000, rate));
}
