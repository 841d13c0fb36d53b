using Logbus.Messaging.Kafka.Consuming;

namespace Logbus.Specs.Kafka;

/// <summary>The committable offset only moves over records that all finished, whatever order they finish in.</summary>
public sealed class OffsetTrackerSpecs
{
    [Fact]
    public void Records_finishing_out_of_order_move_the_committable_offset_only_over_a_finished_prefix()
    {
        var tracker = new OffsetTracker();
        var entries = new[] { 10L, 11, 12, 15, 16 }.Select(tracker.Register).ToArray();

        Assert.Equal(-1, tracker.Committable);
        Assert.False(tracker.Complete(entries[1]));
        Assert.False(tracker.Complete(entries[3]));
        Assert.Equal(-1, tracker.Committable);

        Assert.True(tracker.Complete(entries[0]));
        Assert.Equal(12, tracker.Committable);

        Assert.True(tracker.Complete(entries[2]));
        Assert.Equal(16, tracker.Committable);

        Assert.True(tracker.Complete(entries[4]));
        Assert.Equal(17, tracker.Committable);
        Assert.Equal(0, tracker.PendingCount);
    }

    [Fact]
    public void An_offset_is_taken_for_commit_once_and_again_only_after_a_failed_commit_or_progress()
    {
        var tracker = new OffsetTracker();
        var first = tracker.Register(0);
        var second = tracker.Register(1);
        Assert.False(tracker.TryTakeUncommitted(out _));

        tracker.Complete(first);
        Assert.True(tracker.TryTakeUncommitted(out var offset));
        Assert.Equal(1, offset);
        Assert.False(tracker.TryTakeUncommitted(out _));

        tracker.CommitFailed(1);
        Assert.True(tracker.TryTakeUncommitted(out offset));
        Assert.Equal(1, offset);

        tracker.Complete(second);
        Assert.True(tracker.TryTakeUncommitted(out offset));
        Assert.Equal(2, offset);
    }
}
