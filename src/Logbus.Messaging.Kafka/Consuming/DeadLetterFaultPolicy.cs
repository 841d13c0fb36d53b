namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The faulted record goes to the dead-letter topic and is completed, so the partition moves on; when the dead-letter
/// topic cannot take it, the record stays unfinished and holds back the partition's commits until a new owner runs it.
/// </summary>
internal sealed class DeadLetterFaultPolicy(DeadLetterTopicProducer deadLetters) : IRecordFaultPolicy
{
    public async Task<bool> HandleAsync(LaneRecord record, PartitionLane lane, Exception failure)
    {
        if (await deadLetters.ProduceAsync(record.Result, failure, record.Attempts, lane.Revoked))
        {
            lane.Tracker.Complete(record.Entry);
        }

        return false;
    }
}
