using Confluent.Kafka;
using Logbus.Messaging.Kafka.Producing;

namespace Logbus.Specs.Kafka;

/// <summary>
/// The retention guard turns a lag in records into bytes with the size of a record on the broker. After thousands of
/// small chunks (single events), a burst of 1,000-event chunks must count at its own size: counted at the small chunks'
/// average it looked several times smaller, the guard held too late, and the dev broker deleted records nobody had read.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class RecordSizeEstimateSpecs
{
    private const string Topic = "sizes";

    [Fact]
    public void A_burst_of_large_records_after_many_small_ones_counts_at_its_own_size_before_the_next_statistics()
    {
        var produced = new ProducedRecords();
        long offset = 0, wireRecords = 0, wireBytes = 0;
        void Send(int count, int uncompressed, int onTheWire)
        {
            for (var i = 0; i < count; i++)
            {
                produced.Delivered(Delivery(offset++, uncompressed), DateTimeOffset.UtcNow);
            }

            wireRecords += count;
            wireBytes += (long)count * onTheWire;
        }

        // 3,000 single-event chunks of 2 KB that compress to 1 KB, as librdkafka's statistics report them.
        Send(3_000, 2_048, 1_024);
        produced.Statistics(Statistics(wireRecords, wireBytes));
        Assert.InRange(produced.AverageRecordBytes(Topic), 900, 2_100);

        // Then 1,000-event chunks of 400 KB that compress to 100 KB, before the statistics have seen any of them.
        Send(30, 400 * 1024, 100 * 1024);
        Assert.True(produced.AverageRecordBytes(Topic) >= 100 * 1024,
            $"a 100 KB record counted as {produced.AverageRecordBytes(Topic):N0} bytes before the next statistics");

        produced.Statistics(Statistics(wireRecords, wireBytes));
        Assert.True(produced.AverageRecordBytes(Topic) >= 100 * 1024,
            $"a 100 KB record counted as {produced.AverageRecordBytes(Topic):N0} bytes after the statistics");
    }

    [Fact]
    public void Before_any_statistics_a_record_counts_at_its_uncompressed_size()
    {
        var produced = new ProducedRecords();
        for (var i = 0; i < 10; i++)
        {
            produced.Delivered(Delivery(i, 50_000), DateTimeOffset.UtcNow);
        }

        Assert.Equal(50_000, produced.AverageRecordBytes(Topic), precision: 0);
    }

    private static DeliveryResult<byte[], byte[]> Delivery(long offset, int bytes) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Topic, 0, offset),
        Message = new Message<byte[], byte[]> { Value = new byte[bytes] },
    };

    private static string Statistics(long records, long bytes) =>
        "{\"topics\": {\"" + Topic + "\": {\"partitions\": {\"0\": {\"txmsgs\": " + records + ", \"txbytes\": " + bytes + "}, "
        + "\"-1\": {\"txmsgs\": 0, \"txbytes\": 0}}}}}";
}
