using Confluent.Kafka;
using Logbus.Messaging.Kafka.Producing;

namespace Logbus.Specs.Kafka;

/// <summary>
/// What the producer remembers of the records a watched topic's consumer groups may not have read: the retention guard
/// counts them at their own size, so it must forget exactly what the groups passed, and never grow without a bound.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class UnreadRecordsSpecs
{
    private static readonly TopicPartition Partition = new("watched", 0);

    [Fact]
    public void Records_at_or_past_the_groups_position_count_at_their_size_with_their_framing()
    {
        var produced = new ProducedRecords();
        produced.WatchUnread(Partition.Topic);
        for (var offset = 0; offset < 10; offset++)
        {
            produced.Delivered(Delivery(Partition, offset, 1_000 * (offset + 1)), DateTimeOffset.UtcNow);
        }

        produced.Consumed(Partition, 7);

        var unread = produced.Unread(Partition);
        Assert.Equal(3, unread.Records);
        // Offsets 7, 8 and 9: 8, 9 and 10 kB as produced, each with its framing and LZ4's worst case more on the broker.
        Assert.Equal(ProducedRecords.StoredAtMost(8_000, 0) + ProducedRecords.StoredAtMost(9_000, 0) + ProducedRecords.StoredAtMost(10_000, 0),
            unread.AtMost);
        Assert.InRange(unread.AtMost, 27_000, 27_600);
    }

    [Fact]
    public void A_topic_nobody_watches_remembers_nothing()
    {
        var produced = new ProducedRecords();
        produced.Delivered(Delivery(Partition, 0, 1_000), DateTimeOffset.UtcNow);

        Assert.Equal(default, produced.Unread(Partition));
    }

    [Fact]
    public void A_long_backlog_remembers_only_the_newest_records_up_to_the_bound()
    {
        var produced = new ProducedRecords();
        produced.WatchUnread(Partition.Topic);
        for (var offset = 0; offset < ProducedRecords.MaxUnreadRecords + 100; offset++)
        {
            produced.Delivered(Delivery(Partition, offset, 100), DateTimeOffset.UtcNow);
        }

        var unread = produced.Unread(Partition);
        Assert.Equal(ProducedRecords.MaxUnreadRecords, unread.Records);
        Assert.Equal(ProducedRecords.MaxUnreadRecords * ProducedRecords.StoredAtMost(100, 0), unread.AtMost);

        // Read to the end: nothing is left counted.
        produced.Consumed(Partition, ProducedRecords.MaxUnreadRecords + 100);
        Assert.Equal(default, produced.Unread(Partition));
    }

    [Fact]
    public void A_replay_forgets_the_lost_log_and_remembers_the_records_as_delivered_again()
    {
        var produced = new ProducedRecords { ReplayWindow = TimeSpan.FromMinutes(1) };
        produced.WatchUnread(Partition.Topic);
        for (var offset = 100; offset < 105; offset++)
        {
            produced.Delivered(Delivery(Partition, offset, 500), DateTimeOffset.UtcNow);
        }

        var replay = produced.TakeForReplay(Partition.Topic);
        Assert.Equal(default, produced.Unread(Partition));

        // The restarted broker numbers them from 0.
        for (var i = 0; i < replay.Count; i++)
        {
            produced.Delivered(Delivery(Partition, i, 500), DateTimeOffset.UtcNow);
        }

        produced.Consumed(Partition, 2);
        Assert.Equal(3, produced.Unread(Partition).Records);
    }

    private static DeliveryResult<byte[], byte[]> Delivery(TopicPartition partition, long offset, int bytes) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(partition, offset),
        Message = new Message<byte[], byte[]> { Value = new byte[bytes] },
    };
}
