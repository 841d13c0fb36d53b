using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>A record held by a partition lane, with its place in the offset tracker and its delivery history.</summary>
internal sealed class LaneRecord(ConsumeResult<byte[], byte[]> result, OffsetTracker.Entry entry)
{
    public ConsumeResult<byte[], byte[]> Result { get; } = result;

    public OffsetTracker.Entry Entry { get; } = entry;

    /// <summary>Key and value bytes, what the record costs a lane to hold.</summary>
    public int Size { get; } = (result.Message.Key?.Length ?? 0) + (result.Message.Value?.Length ?? 0);

    /// <summary>Runs of the consume pipe so far, across redeliveries.</summary>
    public int Attempts { get; set; }

    /// <summary>Times the record went through the receive pipe again after a fault.</summary>
    public int Redeliveries { get; set; }
}
