using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// One member of a topic endpoint's consumer group: a Confluent consumer, its <see cref="PollLoop"/> feeding one lane
/// per assigned partition, its <see cref="OffsetCommitter"/>, its <see cref="RebalanceHandler"/>, the endpoint's
/// <see cref="IRecordFaultPolicy"/>, and the stop that drains it.
/// </summary>
/// <remarks>
/// Threads: the poll thread runs <see cref="PollLoop"/> and, inside <c>Consume</c>, the rebalance callbacks; the commit
/// thread runs <see cref="OffsetCommitter.RunPeriodically"/>; lane workers run <see cref="ProcessAsync"/>; the stopping
/// thread runs <see cref="ActiveAndActualAgentsCompleted"/>, which ends the poll and commit threads before it commits
/// and closes. Stopping drains: nothing new starts, running records may finish for up to
/// <see cref="KafkaTopicEndpointSettings.DrainTimeout"/> (or until the stop is cancelled, which abandons them), finished
/// work is committed, and the consumer leaves the group.
/// </remarks>
internal sealed class KafkaMessageConsumer : ConsumerAgent<TopicPartitionOffset>, KafkaConsumerMetrics.ILagSource
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(2);

    private readonly KafkaReceiveEndpointContext _context;
    private readonly KafkaTopicEndpointSettings _settings;

    /// <summary>Polled by the poll thread; committed under the committer's lock; closed by the stopping thread after the loops ended.</summary>
    private readonly IConsumer<byte[], byte[]> _consumer;

    /// <summary>Changed only by the rebalance callbacks; see <see cref="AssignedLanes"/> for who may read it how.</summary>
    private readonly AssignedLanes _lanes = new();

    private readonly RunningReceives _running = new();
    private readonly OffsetCommitter _committer;
    private readonly RebalanceHandler _rebalance;
    private readonly IRecordFaultPolicy _faultPolicy;

    /// <summary>Cancelled by the stopping thread; ends the poll thread.</summary>
    private readonly CancellationTokenSource _pollStop = new();

    /// <summary>Cancelled by the stopping thread; ends the commit thread.</summary>
    private readonly CancellationTokenSource _commitStop = new();

    private readonly Task _pollTask;
    private readonly Task _commitTask;
    private readonly IDisposable _lagRegistration;

    public KafkaMessageConsumer(KafkaReceiveEndpointContext context, int memberIndex)
        : base(context)
    {
        _context = context;
        _settings = context.Settings;
        MemberIndex = memberIndex;
        _faultPolicy = IRecordFaultPolicy.For(context);
        _committer = new OffsetCommitter(context);
        _rebalance = new RebalanceHandler(_settings, memberIndex, _lanes, OpenLane, _committer, _running);

        var config = _settings.CreateConsumerConfig(context.Rider.Host.CreateClientConfig(), memberIndex);
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, error) => context.Rider.Connectivity.Report(error, $"consumer {config.ClientId}"))
            .SetLogHandler((_, message) =>
            {
                if (OffsetResetLog.IsSkip(message))
                {
                    OffsetResetLog.Report(_settings, _context.LogContext, message.Message);
                }

                KafkaClientLog.Write(message);
            })
            .SetPartitionsAssignedHandler(_rebalance.OnAssigned)
            .SetPartitionsRevokedHandler(_rebalance.OnRevoked)
            .SetPartitionsLostHandler(_rebalance.OnLost)
            .Build();

        var pollLoop = new PollLoop(_consumer, context, _lanes, memberIndex);
        _pollTask = Task.Factory.StartNew(() => pollLoop.Run(_pollStop.Token), CancellationToken.None, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        _commitTask = Task.Factory.StartNew(() => _committer.RunPeriodically(_consumer, _lanes, _commitStop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        TrySetConsumeTask(_pollTask);
        _lagRegistration = KafkaConsumerMetrics.Track(this);
        SetReady();
    }

    public int MemberIndex { get; }

    string KafkaConsumerMetrics.ILagSource.GroupId => _settings.GroupId;

    IEnumerable<(TopicPartition Partition, long Bytes)> KafkaConsumerMetrics.ILagSource.ReadAhead() =>
        [.. _lanes.Snapshot().Select(lane => (lane.Partition, lane.HeldBytes))];

    IEnumerable<(TopicPartition Partition, long Lag)> KafkaConsumerMetrics.ILagSource.Lag()
    {
        var lag = new List<(TopicPartition, long)>();
        foreach (var lane in _lanes.Snapshot())
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
    public IReadOnlyList<TopicPartition> Assignment => _lanes.Partitions;

    /// <summary>Key and value bytes of the records this member's lanes hold: queued plus in the receive pipe.</summary>
    internal long HeldBytes => _lanes.Snapshot().Sum(lane => lane.HeldBytes);

    protected override bool IsTrackable(TopicPartitionOffset key) => false;

    protected override async Task ActiveAndActualAgentsCompleted(StopContext context)
    {
        var abandon = context.CancellationToken;

        // 1. Take nothing new: stop polling and periodic commits, drop queued records.
        await _pollStop.CancelAsync();
        await IgnoreFailure(_pollTask);
        await _commitStop.CancelAsync();
        await IgnoreFailure(_commitTask);
        var lanes = _lanes.Snapshot();
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
            _running.Cancel(_ => true);
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
        _rebalance.BeginClosing();
        _lagRegistration.Dispose();
        var commit = Task.Run(() => _committer.Commit(_consumer, lanes, "stop"));
        if (!await WaitAsync(commit, CloseTimeout, CancellationToken.None))
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) could not commit within {Timeout} while stopping; it closes once the " +
                "commit returns", _settings.Topic, _settings.GroupId, CloseTimeout);
            // Never close under a commit still waiting: the client would be destroyed beneath the temporary queue the commit
            // waits on, and destroying that queue afterwards aborts the process inside librdkafka.
            _ = commit.ContinueWith(_ => Close(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        else if (!await WaitAsync(Task.Run(Close), CloseTimeout, CancellationToken.None))
        {
            LogContext.Warning?.Log("Kafka consumer {Topic} ({Group}) did not close within {Timeout}", _settings.Topic, _settings.GroupId,
                CloseTimeout);
        }

        foreach (var lane in lanes)
        {
            lane.Dispose();
        }

        _pollStop.Dispose();
        _commitStop.Dispose();
    }

    /// <summary>One record through the receive pipe, and what happens when it faults.</summary>
    private async Task ProcessAsync(LaneRecord record, PartitionLane lane)
    {
        var result = record.Result;
        while (!lane.IsRevoked)
        {
            var attempts = new KafkaDeliveryAttempts();
            var kafkaRecord = new KafkaRecord(result.Topic, result.Partition.Value, result.Offset.Value,
                result.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : null, result.Message.Timestamp.UtcDateTime,
                _settings.GroupId);
            var receiveContext = new KafkaReceiveContext(result, _context, record.Redeliveries > 0, kafkaRecord, attempts);
            var lockContext = new KafkaReceiveLockContext(lane.Tracker, record.Entry);
            Exception? failure = null;
            var abandoned = false;
            _running.Add(receiveContext);
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
                _running.Remove(receiveContext);
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
            if (!await _faultPolicy.HandleAsync(record, lane, failure))
            {
                return;
            }
        }
    }

    private PartitionLane OpenLane(TopicPartition partition) =>
        new(partition, _settings.KeyConcurrency, _settings.ConcurrentDeliveryLimit, _settings.PrefetchPerPartition,
            _settings.PrefetchBytesPerPartition, ProcessAsync);

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
