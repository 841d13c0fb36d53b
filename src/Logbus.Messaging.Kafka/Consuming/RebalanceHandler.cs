using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using MassTransit;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// A group member's answers to librdkafka's rebalance callbacks: open lanes for assigned partitions (at a remembered
/// position when the member finished more than the group committed), finish and commit revoked ones, drop lost ones.
/// </summary>
/// <remarks>
/// librdkafka calls these inside <c>Consume</c> on the poll thread, or inside <c>Close</c> on the stopping thread once
/// the poll loop ended: never two at a time, and never beside the poll loop.
/// </remarks>
internal sealed class RebalanceHandler(
    KafkaTopicEndpointSettings settings,
    int memberIndex,
    AssignedLanes lanes,
    Func<TopicPartition, PartitionLane> openLane,
    OffsetCommitter committer,
    RunningReceives running)
{
    private static readonly TimeSpan CommittedTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ClusterIdTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The cluster id the broker gave when partitions were last assigned; poll thread only.</summary>
    private string? _cluster;

    /// <summary>Set by the stopping thread before it commits and closes; read by the revoke callback.</summary>
    private volatile bool _closing;

    /// <summary>
    /// The stop commits what finished itself, before it closes the consumer; the revoke that the close triggers then
    /// neither waits for running records nor commits.
    /// </summary>
    public void BeginClosing() => _closing = true;

    public IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
    {
        var starts = IsAnotherCluster(consumer)
            ? [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning))]
            : StartPositions(consumer, partitions);

        // A position past the group's offset is committed on the next interval even when nothing more arrives;
        // otherwise the group would stay behind what this member already finished.
        lanes.Assign(partitions, openLane, starts.Where(s => !s.Offset.IsSpecial));

        LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) member {Member} assigned {Partitions}", settings.Topic, settings.GroupId,
            memberIndex, string.Join(",", starts.Select(p => $"[{p.Partition.Value}]@{p.Offset}")));
        return starts;
    }

    /// <summary>
    /// Runs before the partitions move: the only moment this member can still commit them. Running records finish
    /// (bounded by the drain timeout), their offsets are committed, then the lanes go.
    /// </summary>
    public void OnRevoked(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        var revokedLanes = lanes.Remove(partitions.Select(p => p.TopicPartition));
        if (revokedLanes.Count == 0)
        {
            return;
        }

        ResumeBeforeRelease(consumer, revokedLanes);

        foreach (var lane in revokedLanes)
        {
            lane.Revoke();
        }

        if (!_closing)
        {
            var drained = Task.WhenAll(revokedLanes.Select(l => l.Completion)).Wait(settings.DrainTimeout);
            if (!drained)
            {
                var revoked = revokedLanes.Select(l => l.Partition).ToHashSet();
                LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) gave up waiting for running records of revoked partitions {Partitions}",
                    settings.Topic, settings.GroupId, string.Join(",", revoked.Select(p => p.Partition.Value)));
                running.Cancel(r => revoked.Contains(new TopicPartition(r.Topic, r.Partition)));
            }

            committer.Commit(consumer, revokedLanes, "revoke");

            // A group mid-rebalance refuses the commit: remember how far this member got, for when the partition comes back.
            lanes.RememberUncommitted(revokedLanes);
        }

        foreach (var lane in revokedLanes)
        {
            lane.Dispose();
        }

        LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) member {Member} revoked {Partitions}", settings.Topic, settings.GroupId,
            memberIndex, string.Join(",", revokedLanes.Select(l => l.Partition.Partition.Value)));
    }

    /// <summary>A lost partition (the group moved on without us) is dropped without committing: another member owns it.</summary>
    public void OnLost(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        var lostLanes = lanes.Remove(partitions.Select(p => p.TopicPartition));
        ResumeBeforeRelease(consumer, lostLanes);
        foreach (var lane in lostLanes)
        {
            lane.Revoke();
        }

        LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) lost partitions {Partitions}; their uncommitted records go to the next owner",
            settings.Topic, settings.GroupId, string.Join(",", lostLanes.Select(l => l.Partition.Partition.Value)));
    }

    /// <summary>
    /// True when the broker is not the cluster this member consumed from before: a dev broker that restarted has a new
    /// cluster id and an empty log. The positions this member remembers, and any offsets committed there since (a
    /// commit of old positions can reach the new broker before the group rejoins), number records of the old log;
    /// starting at them would skip what the producers' replay wrote again. Every partition is then read from its
    /// beginning, and the consumers' inbox stores each record once.
    /// </summary>
    private bool IsAnotherCluster(IConsumer<byte[], byte[]> consumer)
    {
        string? cluster;
        try
        {
            cluster = consumer.ClusterId(ClusterIdTimeout);
        }
        catch (KafkaException)
        {
            return false;
        }

        var previous = _cluster;
        _cluster = cluster ?? previous;
        if (previous is null || cluster is null || previous == cluster)
        {
            return false;
        }

        lanes.ForgetRemembered();
        LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) is assigned partitions by another cluster ({Previous} before, {Cluster} now): "
            + "the broker lost its log, so every partition is read again from its beginning", settings.Topic, settings.GroupId, previous, cluster);
        return true;
    }

    /// <summary>
    /// Where each assigned partition starts: the group's committed offset, unless this member processed records past it
    /// and could not commit them when the partition was revoked (a group mid-rebalance refuses commits). When the
    /// partition comes back, those records are not processed a second time.
    /// </summary>
    private List<TopicPartitionOffset> StartPositions(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
    {
        var remembered = lanes.TakeRemembered(partitions);
        if (remembered.Count == 0)
        {
            return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }

        Dictionary<TopicPartition, long> committed;
        try
        {
            // Another member may have owned the partition meanwhile and committed further: the larger position wins.
            committed = consumer.Committed(remembered.Keys, CommittedTimeout)
                .ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
        }
        catch (KafkaException exception)
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) could not read committed offsets ({Error}); starting from them anyway",
                settings.Topic, settings.GroupId, exception.Error.Reason);
            return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }

        return [.. partitions.Select(p =>
            remembered.TryGetValue(p, out var position) && (!committed.TryGetValue(p, out var groupOffset) || groupOffset < position)
                ? new TopicPartitionOffset(p, new Offset(position))
                : new TopicPartitionOffset(p, Offset.Unset))];
    }

    /// <summary>
    /// librdkafka keeps an application's pause across a revoke and a later assign of the same partition, while the new
    /// lane starts unpaused and so would never resume it: the partition would never be fetched again. Still inside the
    /// rebalance callback, the partitions are assigned and can be resumed.
    /// </summary>
    private void ResumeBeforeRelease(IConsumer<byte[], byte[]> consumer, IReadOnlyCollection<PartitionLane> released)
    {
        var paused = released.Where(l => l.Paused).Select(l => l.Partition).ToList();
        if (paused.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Resume(paused);
        }
        catch (KafkaException exception)
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) could not resume {Partitions} before releasing them: {Error}",
                settings.Topic, settings.GroupId, string.Join(",", paused.Select(p => p.Partition.Value)), exception.Error.Reason);
        }
    }
}
