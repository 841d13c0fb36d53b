using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using MassTransit;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// A record that has not finished for a long time holds back every commit of its partition, even while later records
/// keep finishing beside it; this says so (once a minute per partition), with where it is.
/// </summary>
/// <remarks>Used by the commit thread only, so it needs no lock.</remarks>
internal sealed class StuckRecordWarnings(KafkaTopicEndpointSettings settings)
{
    private static readonly TimeSpan StuckRecordAge = TimeSpan.FromSeconds(60);

    /// <summary>When each partition was last warned about (<see cref="Environment.TickCount64"/>); commit thread only.</summary>
    private readonly Dictionary<TopicPartition, long> _lastWarned = [];

    public void Warn(IReadOnlyCollection<PartitionLane> lanes)
    {
        foreach (var lane in lanes)
        {
            if (lane.Tracker.OldestPendingAge is not { } age || age < StuckRecordAge)
            {
                continue;
            }

            var now = Environment.TickCount64;
            if (_lastWarned.TryGetValue(lane.Partition, out var last) && now - last < StuckRecordAge.TotalMilliseconds)
            {
                continue;
            }

            _lastWarned[lane.Partition] = now;
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) partition {Partition}: a record has not finished for {Age}; "
                + "{Pending} record(s) wait behind it and nothing of the partition is committed past it (committable offset {Committable})",
                settings.Topic, settings.GroupId, lane.Partition.Partition.Value, age, lane.Tracker.PendingCount, lane.Tracker.Committable);
        }
    }
}
