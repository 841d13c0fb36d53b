using System.Collections.Concurrent;
using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// One member of a topic endpoint's consumer group: a Confluent consumer, the poll loop that feeds one lane per
/// assigned partition, the commit loop, and the handling of rebalances and shutdown.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The poll loop never waits for consumers: full lanes pause their partition instead, so heartbeats and
/// rebalances keep flowing and a slow partition does not hold up the others.</item>
/// <item>Offsets are committed by the rider, never by librdkafka on its own: every <see cref="KafkaTopicEndpointSettings.CommitInterval"/>
/// for partitions whose finished prefix grew, on revoke (after the partition's running records finished), and on
/// a graceful stop.</item>
/// <item>A lost partition (the group moved on without us) is dropped without committing: another member owns it.</item>
/// <item>Stopping drains: nothing new starts, running records may finish for up to <see cref="KafkaTopicEndpointSettings.DrainTimeout"/>
/// (or until the stop is cancelled, which abandons them), finished work is committed, and the consumer leaves the group.</item>
/// </list>
/// </remarks>
internal sealed class KafkaMessageConsumer : ConsumerAgent<TopicPartitionOffset>, KafkaConsumerMetrics.ILagSource
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PausedPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CommittedTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StuckRecordAge = TimeSpan.FromSeconds(60);

    private readonly KafkaReceiveEndpointContext _context;
    private readonly KafkaTopicEndpointSettings _settings;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly Dictionary<TopicPartition, PartitionLane> _lanes = [];
    private readonly Lock _lanesGate = new();
    private readonly Lock _commitGate = new();
    private readonly Dictionary<TopicPartition, long> _finishedBeyondCommit = [];
    private readonly ConcurrentDictionary<KafkaReceiveContext, byte> _running = new();
    private readonly CancellationTokenSource _pollStop = new();
    private readonly CancellationTokenSource _commitStop = new();
    private readonly Task _pollTask;
    private readonly Task _commitTask;
    private readonly IDisposable _lagRegistration;
    private volatile bool _closing;

    public KafkaMessageConsumer(KafkaReceiveEndpointContext context, int memberIndex)
        : base(context)
    {
        _context = context;
        _settings = context.Settings;
        MemberIndex = memberIndex;

        var config = _settings.CreateConsumerConfig(context.Rider.Host.CreateClientConfig(), memberIndex);
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, error) => context.Rider.Connectivity.Report(error, $"consumer {config.ClientId}"))
            .SetLogHandler((_, message) => KafkaClientLog.Write(message))
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .Build();

        _pollTask = Task.Factory.StartNew(PollLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _commitTask = Task.Factory.StartNew(CommitLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        TrySetConsumeTask(_pollTask);
        _lagRegistration = KafkaConsumerMetrics.Track(this);
        SetReady();
    }

    public int MemberIndex { get; }

    string KafkaConsumerMetrics.ILagSource.GroupId => _settings.GroupId;

    IEnumerable<(TopicPartition Partition, long Lag)> KafkaConsumerMetrics.ILagSource.Lag()
    {
        var lag = new List<(TopicPartition, long)>();
        foreach (var lane in SnapshotLanes())
        {
            var position = lane.Tracker.Committable;
            if (position < 0)
            {
                continue;
            }

            try
            {
                var end = _consumer.GetWatermarkOffsets(lane.Partition).High;
                if (end != Offset.Unset)
                {
                    lag.Add((lane.Partition, Math.Max(0, end.Value - position)));
                }
            }
            catch (Exception exception) when (exception is ObjectDisposedException or KafkaException)
            {
                // Closing, or the partition just moved: no figure this time.
            }
        }

        return lag;
    }

    /// <summary>Why the poll loop ended, when it ended by failing rather than by a stop.</summary>
    public Exception? Failure => _pollTask.IsFaulted ? _pollTask.Exception?.GetBaseException() : null;

    /// <summary>Partitions this member owns right now.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_lanesGate)
            {
                return [.. _lanes.Keys];
            }
        }
    }

    protected override bool IsTrackable(TopicPartitionOffset key) => false;

    protected override async Task ActiveAndActualAgentsCompleted(StopContext context)
    {
        var abandon = context.CancellationToken;

        // 1. Take nothing new: stop polling and periodic commits, drop queued records.
        await _pollStop.CancelAsync();
        await IgnoreFailure(_pollTask);
        await _commitStop.CancelAsync();
        await IgnoreFailure(_commitTask);
        var lanes = SnapshotLanes();
        foreach (var lane in lanes)
        {
            lane.Revoke();
        }

        // 2. Let running records finish, unless the stop is cancelled or the drain takes too long.
        var drained = await WaitAsync(Task.WhenAll(lanes.Select(l => l.Completion)), _settings.DrainTimeout, abandon);
        if (!drained)
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) stopped before {Count} running record(s) finished; they stay uncommitted",
                _settings.Topic, _settings.GroupId, _running.Count);
            CancelRunning(_ => true);
            drained = await WaitAsync(Task.WhenAll(lanes.Select(l => l.Completion)), AbandonGrace, CancellationToken.None);
        }

        if (drained)
        {
            await base.ActiveAndActualAgentsCompleted(context);
        }
        else
        {
            // A consumer that ignores cancellation must not hold the stop forever: its record stays uncommitted.
            LogContext.Error?.Log("Kafka consumer {Topic} ({Group}) left {Count} record(s) running that ignored cancellation", _settings.Topic,
                _settings.GroupId, _running.Count);
        }

        // 3. Commit everything that finished (abandoned records never reached the tracker), then leave the group.
        // Both are bounded: with the brokers unreachable a commit or a leave could wait for as long as the outage lasts.
        _closing = true;
        _lagRegistration.Dispose();
        if (!await WaitAsync(Task.Run(() => Commit(lanes, "stop")), CloseTimeout, CancellationToken.None))
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) could not commit within {Timeout} while stopping", _settings.Topic, _settings.GroupId,
                CloseTimeout);
        }

        if (!await WaitAsync(Task.Run(Close), CloseTimeout, CancellationToken.None))
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) did not close within {Timeout}", _settings.Topic, _settings.GroupId, CloseTimeout);
        }

        foreach (var lane in lanes)
        {
            lane.Dispose();
        }

        _pollStop.Dispose();
        _commitStop.Dispose();
    }

    private void PollLoop()
    {
        LogContext.SetCurrentIfNull(_context.LogContext);
        _consumer.Subscribe(_settings.Topic);
        LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) member {Member} subscribed", _settings.Topic, _settings.GroupId, MemberIndex);
        var anyPaused = false;
        var consumeWarnings = new RepeatedWarnings(TimeSpan.FromSeconds(30));
        while (!_pollStop.IsCancellationRequested)
        {
            anyPaused = ResumeDrainedPartitions();
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = _consumer.Consume(anyPaused ? PausedPoll : IdlePoll);
            }
            catch (ConsumeException exception) when (exception.Error.Code == ErrorCode.Local_AutoOffsetReset)
            {
                // The broker no longer has the records at this member's position (retention deleted them unread): they
                // are gone, and the consumer continues from the reset offset. Never quiet about it.
                KafkaConsumerMetrics.OffsetReset(_settings.Topic, _settings.GroupId);
                LogContext.Error?.Log("Kafka consumer {Topic} ({Group}) skipped records the broker had already deleted: {Reason}. "
                    + "The consumer fell further behind than the topic's retention; raise retention or consume faster.",
                    _settings.Topic, _settings.GroupId, exception.Error.Reason);
                continue;
            }
            catch (ConsumeException exception) when (!exception.Error.IsFatal)
            {
                // librdkafka repeats these (a missing topic, say) on every poll; say it once in a while, not every time.
                var logger = consumeWarnings.ShouldWarn(exception.Error.Code) ? LogContext.Warning : LogContext.Debug;
                logger?.Log("Kafka consumer {Topic} ({Group}): {Reason}", _settings.Topic, _settings.GroupId, exception.Error.Reason);
                continue;
            }
            catch (KafkaException exception) when (exception.Error.IsFatal)
            {
                LogContext.Error?.Log(exception, "Kafka consumer {Topic} ({Group}) failed fatally; the endpoint restarts it", _settings.Topic, _settings.GroupId);
                throw;
            }

            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            _context.Rider.Connectivity.ReportReachable();
            if (!_lanes.TryGetValue(result.TopicPartition, out var lane))
            {
                continue;
            }

            lane.Enqueue(result);
            if (lane.ShouldPause)
            {
                _consumer.Pause([result.TopicPartition]);
                lane.Paused = true;
            }
        }
    }

    private bool ResumeDrainedPartitions()
    {
        var anyPaused = false;
        foreach (var lane in _lanes.Values)
        {
            if (lane.ShouldResume)
            {
                _consumer.Resume([lane.Partition]);
                lane.Paused = false;
            }

            anyPaused |= lane.Paused;
        }

        return anyPaused;
    }

    private void CommitLoop()
    {
        LogContext.SetCurrentIfNull(_context.LogContext);
        var lastWarned = new Dictionary<TopicPartition, long>();
        while (!_commitStop.Token.WaitHandle.WaitOne(_settings.CommitInterval))
        {
            var lanes = SnapshotLanes();
            Commit(lanes, "interval");
            WarnAboutStuckRecords(lanes, lastWarned);
        }
    }

    /// <summary>
    /// A record that has not finished for a long time holds back every commit of its partition, even while later records
    /// keep finishing beside it; say so (once a minute per partition), with where it is.
    /// </summary>
    private void WarnAboutStuckRecords(IReadOnlyCollection<PartitionLane> lanes, Dictionary<TopicPartition, long> lastWarned)
    {
        foreach (var lane in lanes)
        {
            if (lane.Tracker.OldestPendingAge is not { } age || age < StuckRecordAge)
            {
                continue;
            }

            var now = Environment.TickCount64;
            if (lastWarned.TryGetValue(lane.Partition, out var last) && now - last < StuckRecordAge.TotalMilliseconds)
            {
                continue;
            }

            lastWarned[lane.Partition] = now;
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) partition {Partition}: a record has not finished for {Age}; "
                + "{Pending} record(s) wait behind it and nothing of the partition is committed past it (committable offset {Committable})",
                _settings.Topic, _settings.GroupId, lane.Partition.Partition.Value, age, lane.Tracker.PendingCount, lane.Tracker.Committable);
        }
    }

    /// <summary>Commits the finished prefix of each lane that grew since its last commit.</summary>
    private void Commit(IReadOnlyCollection<PartitionLane> lanes, string reason)
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
                _consumer.Commit(offsets.Select(o => o.Offset));
                _context.Rider.Connectivity.ReportReachable();
                LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) committed {Offsets} ({Reason})",
                    _settings.Topic, _settings.GroupId, string.Join(", ", offsets.Select(o => $"[{o.Offset.Partition.Value}]@{o.Offset.Offset.Value}")), reason);
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

    private IEnumerable<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        var starts = StartPositions(partitions);
        lock (_lanesGate)
        {
            foreach (var partition in partitions)
            {
                if (!_lanes.ContainsKey(partition))
                {
                    _lanes[partition] = new PartitionLane(partition, _settings.KeyConcurrency, _settings.ConcurrentDeliveryLimit,
                        _settings.PrefetchPerPartition, _settings.PrefetchBytesPerPartition, ProcessAsync);
                }
            }

            // A position past the group's offset is committed on the next interval even when nothing more arrives;
            // otherwise the group would stay behind what this member already finished.
            foreach (var start in starts.Where(s => s.Offset != Offset.Unset))
            {
                _lanes[start.TopicPartition].Tracker.StartAt(start.Offset.Value);
            }
        }

        LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) member {Member} assigned {Partitions}", _settings.Topic, _settings.GroupId,
            MemberIndex, string.Join(",", starts.Select(p => $"[{p.Partition.Value}]@{p.Offset}")));
        return starts;
    }

    /// <summary>
    /// Where each assigned partition starts: the group's committed offset, unless this member processed records past it
    /// and could not commit them when the partition was revoked (a group mid-rebalance refuses commits). When the
    /// partition comes back, those records are not processed a second time.
    /// </summary>
    private List<TopicPartitionOffset> StartPositions(List<TopicPartition> partitions)
    {
        Dictionary<TopicPartition, long> remembered;
        lock (_lanesGate)
        {
            remembered = partitions.Where(_finishedBeyondCommit.ContainsKey).ToDictionary(p => p, p => _finishedBeyondCommit[p]);
            foreach (var partition in partitions)
            {
                _finishedBeyondCommit.Remove(partition);
            }
        }

        if (remembered.Count == 0)
        {
            return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }

        Dictionary<TopicPartition, long> committed;
        try
        {
            // Another member may have owned the partition meanwhile and committed further: the larger position wins.
            committed = _consumer.Committed(remembered.Keys, CommittedTimeout)
                .ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
        }
        catch (KafkaException exception)
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) could not read committed offsets ({Error}); starting from them anyway",
                _settings.Topic, _settings.GroupId, exception.Error.Reason);
            return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }

        return [.. partitions.Select(p =>
            remembered.TryGetValue(p, out var position) && (!committed.TryGetValue(p, out var groupOffset) || groupOffset < position)
                ? new TopicPartitionOffset(p, new Offset(position))
                : new TopicPartitionOffset(p, Offset.Unset))];
    }

    /// <summary>
    /// Runs on the poll thread inside <c>Consume</c>, before the partitions move: the only moment this member can still
    /// commit them. Running records finish (bounded by the drain timeout), their offsets are committed, then the lanes go.
    /// </summary>
    private void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        var lanes = RemoveLanes(partitions.Select(p => p.TopicPartition));
        if (lanes.Count == 0)
        {
            return;
        }

        ResumeBeforeRelease(lanes);

        foreach (var lane in lanes)
        {
            lane.Revoke();
        }

        if (!_closing)
        {
            var drained = Task.WhenAll(lanes.Select(l => l.Completion)).Wait(_settings.DrainTimeout);
            if (!drained)
            {
                var revoked = lanes.Select(l => l.Partition).ToHashSet();
                LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) gave up waiting for running records of revoked partitions {Partitions}",
                    _settings.Topic, _settings.GroupId, string.Join(",", revoked.Select(p => p.Partition.Value)));
                CancelRunning(r => revoked.Contains(new TopicPartition(r.Topic, r.Partition)));
            }

            Commit(lanes, "revoke");
            lock (_lanesGate)
            {
                foreach (var lane in lanes.Where(l => l.Tracker.HasUncommitted))
                {
                    _finishedBeyondCommit[lane.Partition] = lane.Tracker.Committable;
                }
            }
        }

        foreach (var lane in lanes)
        {
            lane.Dispose();
        }

        LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) member {Member} revoked {Partitions}", _settings.Topic, _settings.GroupId,
            MemberIndex, string.Join(",", lanes.Select(l => l.Partition.Partition.Value)));
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        var lanes = RemoveLanes(partitions.Select(p => p.TopicPartition));
        ResumeBeforeRelease(lanes);
        foreach (var lane in lanes)
        {
            lane.Revoke();
        }

        LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) lost partitions {Partitions}; their uncommitted records go to the next owner",
            _settings.Topic, _settings.GroupId, string.Join(",", lanes.Select(l => l.Partition.Partition.Value)));
    }

    /// <summary>
    /// librdkafka keeps an application's pause across a revoke and a later assign of the same partition, while the new
    /// lane starts unpaused and so would never resume it: the partition would never be fetched again. Still inside the
    /// rebalance callback, the partitions are assigned and can be resumed.
    /// </summary>
    private void ResumeBeforeRelease(IReadOnlyCollection<PartitionLane> lanes)
    {
        var paused = lanes.Where(l => l.Paused).Select(l => l.Partition).ToList();
        if (paused.Count == 0)
        {
            return;
        }

        try
        {
            _consumer.Resume(paused);
        }
        catch (KafkaException exception)
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) could not resume {Partitions} before releasing them: {Error}",
                _settings.Topic, _settings.GroupId, string.Join(",", paused.Select(p => p.Partition.Value)), exception.Error.Reason);
        }
    }

    /// <summary>One record through the receive pipe, and what happens when it faults.</summary>
    private async Task ProcessAsync(LaneRecord record, PartitionLane lane)
    {
        var result = record.Result;
        while (!lane.IsRevoked)
        {
            var attempts = new KafkaDeliveryAttempts();
            var kafkaRecord = new KafkaRecord(result.Topic, result.Partition.Value, result.Offset.Value,
                result.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : null, result.Message.Timestamp.UtcDateTime, _settings.GroupId);
            var receiveContext = new KafkaReceiveContext(result, _context, record.Redeliveries > 0, kafkaRecord, attempts);
            var lockContext = new KafkaReceiveLockContext(lane.Tracker, record.Entry);
            Exception? failure = null;
            var abandoned = false;
            _running.TryAdd(receiveContext, 0);
            try
            {
                await Dispatch(result.TopicPartitionOffset, receiveContext, lockContext);
            }
#pragma warning disable CA1031 // every failure of the receive pipe is handled by the endpoint's fault policy below
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failure = exception;
            }
            finally
            {
                _running.TryRemove(receiveContext, out _);
                abandoned = receiveContext.CancellationToken.IsCancellationRequested;
                receiveContext.Dispose();
            }

            record.Attempts += Math.Max(1, attempts.Count);
            if (lockContext.IsCompleted)
            {
                return;
            }

            if (lane.IsRevoked || abandoned)
            {
                // Abandoned by a stop or a revoke: not finished, not committed, the next owner runs it again.
                return;
            }

            failure ??= new InvalidOperationException("The receive pipe returned without completing the record.");
            if (_settings.FaultHandling == KafkaFaultHandling.DeadLetter)
            {
                if (await _context.DeadLetters.ProduceAsync(result, failure, record.Attempts, lane.Revoked))
                {
                    lane.Tracker.Complete(record.Entry);
                }

                return;
            }

            record.Redeliveries++;
            var delay = _settings.Redelivery.DelayBefore(record.Redeliveries);
            LogContext.Error?.Log(failure, "Kafka record {Topic}[{Partition}]@{Offset} failed after {Attempts} attempt(s); redelivery {Redelivery} in {Delay}, the partition waits",
                result.Topic, result.Partition.Value, result.Offset.Value, record.Attempts, record.Redeliveries, delay);
            try
            {
                await Task.Delay(delay, lane.Revoked);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private List<PartitionLane> RemoveLanes(IEnumerable<TopicPartition> partitions)
    {
        var removed = new List<PartitionLane>();
        lock (_lanesGate)
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

    private List<PartitionLane> SnapshotLanes()
    {
        lock (_lanesGate)
        {
            return [.. _lanes.Values];
        }
    }

    private void CancelRunning(Func<KafkaRecord, bool> which)
    {
        foreach (var context in _running.Keys)
        {
            if (context.TryGetPayload<KafkaRecord>(out var record) && which(record))
            {
                context.Cancel();
            }
        }
    }

    private void Close()
    {
        try
        {
            _consumer.Close();
        }
        catch (KafkaException exception)
        {
            LogContext.Warning?.Log(exception, "Kafka consumer {Topic} ({Group}) close failed", _settings.Topic, _settings.GroupId);
        }
        finally
        {
            _consumer.Dispose();
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task IgnoreFailure(Task task)
    {
        try
        {
            await task;
        }
#pragma warning disable CA1031 // the loops report their own failures; stopping only needs them to have ended
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
