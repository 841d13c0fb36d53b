using Logbus.Messaging.Kafka.Consuming;

namespace Logbus.Specs.Kafka;

/// <summary>The committable offset only moves over records that all finished, whatever order they finish in.</summary>
[Trait("Kind", "Unit")]
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

    [Fact]
    public void A_partition_taken_back_at_a_remembered_position_commits_that_position_even_when_nothing_more_arrives()
    {
        var tracker = new OffsetTracker();

        tracker.StartAt(40);

        Assert.True(tracker.TryTakeUncommitted(out var offset));
        Assert.Equal(40, offset);
        Assert.False(tracker.TryTakeUncommitted(out _));

        // Records after it move on from there as usual.
        var next = tracker.Register(40);
        tracker.Complete(next);
        Assert.True(tracker.TryTakeUncommitted(out offset));
        Assert.Equal(41, offset);
    }

    [Fact]
    public void The_age_of_the_oldest_unfinished_record_shows_a_record_that_holds_back_its_partition()
    {
        var tracker = new OffsetTracker();
        Assert.Null(tracker.OldestPendingAge);

        var stuck = tracker.Register(0);
        tracker.Complete(tracker.Register(1));

        Assert.NotNull(tracker.OldestPendingAge);
        tracker.Complete(stuck);
        Assert.Null(tracker.OldestPendingAge);
    }
}
