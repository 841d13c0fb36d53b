using System.Threading.Channels;
using Confluent.Kafka;
using MassTransit;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// One assigned partition: the records taken from it, processed in offset order (or in order per key when split into
/// key lanes), with their offsets tracked until their receive pipe finished.
/// </summary>
/// <remarks>
/// Only the poll thread enqueues, pauses and resumes. A lane that holds <c>prefetch</c> records (or bytes) asks the poll
/// loop to pause its partition, so a slow partition neither blocks the poll loop (and with it every other partition and
/// the group heartbeat) nor grows without bound; it is resumed once it has drained to half. Pausing is not free:
/// librdkafka drops what it had fetched ahead for the partition and fetches it again after the resume, so the
/// prefetch should be large enough that a lane keeping up with its partition rarely pauses. The byte limit never pauses
/// a lane holding fewer records than it delivers at once (key lanes × concurrent deliveries): a record larger than the
/// limit would otherwise leave the other delivery slots idle behind a pause.
/// </remarks>
internal sealed class PartitionLane : IDisposable
{
    private readonly Channel<LaneRecord>[] _keyLanes;
    private readonly Task[] _workers;
    private readonly Func<LaneRecord, PartitionLane, Task> _process;
    private readonly int _prefetch;
    private readonly long _prefetchBytes;
    private readonly int _deliveryLimit;
    private readonly int _deliveredAtOnce;
    private readonly CancellationTokenSource _revoked = new();
    private int _held;
    private long _heldBytes;

    public PartitionLane(TopicPartition partition, int keyConcurrency, int deliveryLimit, int prefetch, long prefetchBytes,
        Func<LaneRecord, PartitionLane, Task> process)
    {
        Partition = partition;
        _process = process;
        _prefetch = prefetch;
        _prefetchBytes = prefetchBytes;
        _deliveryLimit = deliveryLimit;
        _deliveredAtOnce = keyConcurrency * deliveryLimit;
        _keyLanes = new Channel<LaneRecord>[keyConcurrency];
        _workers = new Task[keyConcurrency];
        for (var i = 0; i < keyConcurrency; i++)
        {
            var channel = Channel.CreateUnbounded<LaneRecord>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            _keyLanes[i] = channel;
            _workers[i] = Task.Run(() => RunAsync(channel.Reader));
        }

        Completion = Task.WhenAll(_workers);
    }

    public TopicPartition Partition { get; }

    public OffsetTracker Tracker { get; } = new();

    /// <summary>Cancelled when the partition is revoked, lost or the consumer stops: nothing new starts after that.</summary>
    public CancellationToken Revoked => _revoked.Token;

    public bool IsRevoked => _revoked.IsCancellationRequested;

    /// <summary>Completes when every record the lane started has left its receive pipe.</summary>
    public Task Completion { get; }

    /// <summary>Set by the poll thread only.</summary>
    public bool Paused { get; set; }

    /// <summary>Records held: queued plus in the receive pipe.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Key and value bytes of the records held.</summary>
    public long HeldBytes => Interlocked.Read(ref _heldBytes);

    public bool ShouldPause => !Paused && (Held >= _prefetch || (HeldBytes >= _prefetchBytes && Held >= _deliveredAtOnce));

    public bool ShouldResume => Paused && Held <= _prefetch / 2 && (HeldBytes <= _prefetchBytes / 2 || Held < _deliveredAtOnce);

    public void Enqueue(ConsumeResult<byte[], byte[]> result)
    {
        var record = new LaneRecord(result, Tracker.Register(result.Offset.Value));
        Interlocked.Increment(ref _held);
        Interlocked.Add(ref _heldBytes, record.Size);
        var lane = _keyLanes.Length == 1 ? 0 : KeyHash(result.Message.Key) % _keyLanes.Length;
        if (!_keyLanes[lane].Writer.TryWrite(record))
        {
            // The lane was revoked between the poll and now: the record is simply not ours to process any more.
            Release(record);
        }
    }

    /// <summary>Stops the lane: queued records are dropped (the next owner reads them), running ones finish.</summary>
    public void Revoke()
    {
        if (_revoked.IsCancellationRequested)
        {
            return;
        }

        _revoked.Cancel();
        foreach (var channel in _keyLanes)
        {
            channel.Writer.TryComplete();
        }
    }

    public void Dispose() => _revoked.Dispose();

    private async Task RunAsync(ChannelReader<LaneRecord> reader)
    {
        if (_deliveryLimit == 1)
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var record))
                {
                    await RunOneAsync(record);
                }
            }

            return;
        }

        // Several records of this lane in the receive pipe at once: started in offset order, finishing in any order.
        using var slots = new SemaphoreSlim(_deliveryLimit);
        var running = new List<Task>();
        await foreach (var record in reader.ReadAllAsync())
        {
            await slots.WaitAsync();
            running.RemoveAll(t => t.IsCompleted);
            running.Add(RunAndReleaseAsync(record, slots));
        }

        await Task.WhenAll(running);
    }

    private async Task RunAndReleaseAsync(LaneRecord record, SemaphoreSlim slots)
    {
        try
        {
            await RunOneAsync(record);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task RunOneAsync(LaneRecord record)
    {
        try
        {
            if (!IsRevoked)
            {
                await _process(record, this);
            }
        }
#pragma warning disable CA1031 // a lane must outlive any failure of one record; the failure is logged and the record stays uncommitted
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogContext.Error?.Log(exception, "Kafka partition lane {Topic}[{Partition}] failed at offset {Offset}; the record stays uncommitted",
                Partition.Topic, Partition.Partition.Value, record.Result.Offset.Value);
        }
        finally
        {
            Release(record);
        }
    }

    private void Release(LaneRecord record)
    {
        Interlocked.Decrement(ref _held);
        Interlocked.Add(ref _heldBytes, -record.Size);
    }

    private static int KeyHash(byte[]? key)
    {
        if (key is null)
        {
            return 0;
        }

        // FNV-1a: stable across processes, so a key keeps its lane after a restart.
        var hash = 2166136261u;
        foreach (var b in key)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }
}
