using Logbus.Messaging.Kafka.Retention;

namespace Logbus.Specs.Kafka;

[Trait("Kind", "Unit")]
public sealed class HoldLogThrottleSpecs
{
    [Fact]
    public void A_series_of_holds_warns_once_a_minute_and_the_next_warning_counts_the_holds_it_passed_over()
    {
        var clock = new SettableClock();
        var throttle = new HoldLogThrottle(TimeSpan.FromMinutes(1), clock);

        Assert.True(throttle.Warns("log-events", out var unreported));
        Assert.Equal(0, unreported);
        Assert.True(throttle.ReportsRelease("log-events"));

        // An overload holds the topic every few seconds.
        for (var i = 0; i < 15; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            Assert.False(throttle.Warns("log-events", out _));
            Assert.False(throttle.ReportsRelease("log-events"));
        }

        // Another topic has a series of its own.
        Assert.True(throttle.Warns("imports", out _));

        clock.Advance(TimeSpan.FromSeconds(16));
        Assert.True(throttle.Warns("log-events", out unreported));
        Assert.Equal(15, unreported);
        Assert.True(throttle.ReportsRelease("log-events"));
    }

    [Fact]
    public void A_release_with_no_hold_on_record_is_reported()
    {
        Assert.True(new HoldLogThrottle(TimeSpan.FromMinutes(1), new SettableClock()).ReportsRelease("log-events"));
    }

    private sealed class SettableClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
