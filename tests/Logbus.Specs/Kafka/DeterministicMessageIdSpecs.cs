using Logbus.Messaging.EntityFrameworkCore.Inbox;
using Logbus.Messaging.Kafka.Consuming;

namespace Logbus.Specs.Kafka;

/// <summary>
/// A record without a MessageId is named twice: by the Kafka rider when it consumes the record, and by the inbox from
/// the record's Kafka-Topic/Kafka-Partition/Kafka-Offset headers. The two messaging libraries do not reference each
/// other, so each has its own derivation; inbox deduplication only works while both give the same id byte for byte.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class DeterministicMessageIdSpecs
{
    [Theory]
    [InlineData("log-events", 3, 1042L)]
    [InlineData("log-events", 0, 0L)]
    [InlineData("log-events", 11, long.MaxValue)]
    [InlineData("imports", 2147483647, 1L)]
    [InlineData("logbus.dead-letters", 7, 9_876_543_210L)]
    [InlineData("", 0, 0L)]
    [InlineData("tópico-ünicode", 5, 12L)]
    public void The_rider_and_the_inbox_name_a_record_at_a_log_position_identically(string topic, int partition, long offset) =>
        Assert.Equal(DeterministicMessageId.For(topic, partition, offset), InboxMessageIdProvider.FromLogPosition(topic, partition, offset));

    [Fact]
    public void The_rider_names_a_record_by_its_log_position_as_a_version_8_uuid()
    {
        var id = DeterministicMessageId.For("log-events", 3, 1042);

        Assert.Equal(Guid.Parse("5bf90894-54f6-8ccc-80fc-beac24c55cee"), id);
        Assert.Equal(8, id.Version);
        Assert.NotEqual(id, DeterministicMessageId.For("log-events", 3, 1043));
        Assert.NotEqual(id, DeterministicMessageId.For("log-events", 4, 1042));
    }
}
