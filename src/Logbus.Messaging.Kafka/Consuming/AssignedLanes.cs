using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The lanes of the partitions one group member owns, and where it finished partitions it had to give back without
/// being able to commit them.
/// </summary>
/// <remarks>
/// Only the thread that drives the Confluent consumer (the poll thread, or the stopping thread once polling ended)
/// changes the assignment: librdkafka runs the rebalance callbacks inside <c>Consume</c> and <c>Close</c>. That thread
/// may therefore read the lanes without the lock (<see cref="FindOnPollThread"/>, <see cref="AllOnPollThread"/>); every
/// other thread (commit loop, lag metrics, stop, callers of the assignment) takes a snapshot under it.
/// </remarks>
internal sealed class AssignedLanes
{
    private readonly Lock _gate = new();

    /// <summary>Written only by the poll thread, under <see cref="_gate"/>; read by the poll thread freely, by others under the gate.</summary>
    private readonly Dictionary<TopicPartition, PartitionLane> _lanes = [];

    /// <summary>
    /// Finished positions of revoked partitions whose revoke-time commit the group refused. Guarded by <see cref="_gate"/>;
    /// in practice only the poll thread touches it.
    /// </summary>
    private readonly Dictionary<TopicPartition, long> _finishedBeyondCommit = [];

    /// <summary>Partitions owned right now; any thread.</summary>
    public IReadOnlyList<TopicPartition> Partitions
    {
        get
        {
            lock (_gate)
            {
                return [.. _lanes.Keys];
            }
        }
    }

    /// <summary>The lanes owned right now; any thread.</summary>
    public List<PartitionLane> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lanes.Values];
        }
    }

    /// <summary>The lane of a partition, without the lock: only the poll thread may call this.</summary>
    public bool FindOnPollThread(TopicPartition partition, out PartitionLane lane) => _lanes.TryGetValue(partition, out lane!);

    /// <summary>Every lane, without the lock and without a copy: only the poll thread may call this.</summary>
    public IEnumerable<PartitionLane> AllOnPollThread => _lanes.Values;

    /// <summary>
    /// Opens a lane for each newly assigned partition and moves each lane with a known start position there. Poll
    /// thread only (the assign callback).
    /// </summary>
    public void Assign(IEnumerable<TopicPartition> partitions, Func<TopicPartition, PartitionLane> open, IEnumerable<TopicPartitionOffset> starts)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                if (!_lanes.ContainsKey(partition))
                {
                    _lanes[partition] = open(partition);
                }
            }

            foreach (var start in starts)
            {
                _lanes[start.TopicPartition].Tracker.StartAt(start.Offset.Value);
            }
        }
    }

    /// <summary>Takes the lanes of partitions that leave this member. Poll thread only (revoke and lost callbacks).</summary>
    public List<PartitionLane> Remove(IEnumerable<TopicPartition> partitions)
    {
        var removed = new List<PartitionLane>();
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                if (_lanes.Remove(partition, out var lane))
                {
                    removed.Add(lane);
                }
            }
        }

        return removed;
    }

    /// <summary>Remembers how far each revoked lane finished past what the group has committed.</summary>
    public void RememberUncommitted(IEnumerable<PartitionLane> revoked)
    {
        lock (_gate)
        {
            foreach (var lane in revoked.Where(l => l.Tracker.HasUncommitted))
            {
                _finishedBeyondCommit[lane.Partition] = lane.Tracker.Committable;
            }
        }
    }

    /// <summary>Forgets every remembered position: they number records of a log the broker no longer has.</summary>
    public void ForgetRemembered()
    {
        lock (_gate)
        {
            _finishedBeyondCommit.Clear();
        }
    }

    /// <summary>The remembered positions of <paramref name="partitions"/>, forgotten as they are taken back.</summary>
    public Dictionary<TopicPartition, long> TakeRemembered(IReadOnlyCollection<TopicPartition> partitions)
    {
        lock (_gate)
        {
            var remembered = partitions.Where(_finishedBeyondCommit.ContainsKey).ToDictionary(p => p, p => _finishedBeyondCommit[p]);
            foreach (var partition in partitions)
            {
                _finishedBeyondCommit.Remove(partition);
            }

            return remembered;
        }
    }
}
