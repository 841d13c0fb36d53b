using Logbus.Messaging.Kafka.Configuration;
using MassTransit;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The faulted record runs again after a growing delay, until it succeeds or its partition is revoked; the partition
/// waits behind it.
/// </summary>
internal sealed class RedeliverFaultPolicy(KafkaTopicEndpointSettings settings) : IRecordFaultPolicy
{
    public async Task<bool> HandleAsync(LaneRecord record, PartitionLane lane, Exception failure)
    {
        var result = record.Result;
        record.Redeliveries++;
        var delay = settings.Redelivery.DelayBefore(record.Redeliveries);
        LogContext.Error?.Log(failure,
            "Kafka record {Topic}[{Partition}]@{Offset} failed after {Attempts} attempt(s); redelivery {Redelivery} in {Delay}, the partition waits",
            result.Topic, result.Partition.Value, result.Offset.Value, record.Attempts, record.Redeliveries, delay);
        try
        {
            await Task.Delay(delay, lane.Revoked);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }
}
