using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using MassTransit;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// Commits the offsets of one group member. Offsets are committed by the rider, never by librdkafka on its own: every
/// <see cref="KafkaTopicEndpointSettings.CommitInterval"/> on the commit thread (<see cref="RunPeriodically"/>) for
/// partitions whose finished prefix grew, on revoke from the poll thread, and on a graceful stop from the stopping thread.
/// </summary>
internal sealed class OffsetCommitter(KafkaReceiveEndpointContext context)
{
    /// <summary>Serialises commits from the commit, poll and stopping threads: one commit request in flight at a time.</summary>
    private readonly Lock _commitGate = new();

    private readonly KafkaTopicEndpointSettings _settings = context.Settings;

    /// <summary>The commit thread: commits every interval and warns about stuck records, until <paramref name="stop"/>.</summary>
    public void RunPeriodically(IConsumer<byte[], byte[]> consumer, AssignedLanes lanes, CancellationToken stop)
    {
        LogContext.SetCurrentIfNull(context.LogContext);
        var stuckRecords = new StuckRecordWarnings(_settings);
        while (!stop.WaitHandle.WaitOne(_settings.CommitInterval))
        {
            var snapshot = lanes.Snapshot();
            Commit(consumer, snapshot, "interval");
            stuckRecords.Warn(snapshot);
        }
    }

    /// <summary>Commits the finished prefix of each lane that grew since its last commit; any thread.</summary>
    public void Commit(IConsumer<byte[], byte[]> consumer, IReadOnlyCollection<PartitionLane> lanes, string reason)
    {
        lock (_commitGate)
        {
            var offsets = new List<(PartitionLane Lane, TopicPartitionOffset Offset)>();
            foreach (var lane in lanes)
            {
                if (lane.Tracker.TryTakeUncommitted(out var offset))
                {
                    offsets.Add((lane, new TopicPartitionOffset(lane.Partition, offset)));
                }
            }

            if (offsets.Count == 0)
            {
                return;
            }

            try
            {
                consumer.Commit(offsets.Select(o => o.Offset));
                context.Rider.Connectivity.ReportReachable();
                LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) committed {Offsets} ({Reason})", _settings.Topic, _settings.GroupId,
                    string.Join(", ", offsets.Select(o => $"[{o.Offset.Partition.Value}]@{o.Offset.Offset.Value}")), reason);
            }
            catch (KafkaException exception)
            {
                foreach (var (lane, offset) in offsets)
                {
                    lane.Tracker.CommitFailed(offset.Offset.Value);
                }

                // During a rebalance the group refuses commits of the old generation; the revoke handler commits right after.
                var logger = exception.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId
                    ? LogContext.Debug
                    : LogContext.Warning;
                logger?.Log("Kafka consumer {Topic} ({Group}) could not commit ({Reason}): {Error}", _settings.Topic, _settings.GroupId, reason,
                    exception.Error.Reason);
            }
            catch (ObjectDisposedException)
            {
                // The consumer closed while this commit waited for the gate; whatever it held is redelivered.
            }
        }
    }
}
