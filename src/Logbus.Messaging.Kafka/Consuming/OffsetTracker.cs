namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The records of one partition between the poll loop and the end of their receive pipe, and the offset that is safe
/// to commit: the lowest offset not yet finished, or one past the last record when all have finished.
/// </summary>
/// <remarks>
/// Records finish out of order when key lanes or concurrent deliveries run side by side. Committing past a record that
/// has not finished would lose it if the process died, so the committable offset only moves over a finished prefix.
/// Offsets are registered in increasing order (that is how a partition is read), which makes this a queue.
/// </remarks>
internal sealed class OffsetTracker
{
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _pending = new();
    private long _committable = -1;
    private long _committed = -1;

    /// <summary>
    /// The offset to commit (the next record a new owner should read), or -1 when no record finished yet.
    /// </summary>
    public long Committable
    {
        get
        {
            lock (_gate)
            {
                return _committable;
            }
        }
    }

    /// <summary>True when records finished past the last offset this tracker saw committed.</summary>
    public bool HasUncommitted
    {
        get
        {
            lock (_gate)
            {
                return _committable >= 0 && _committable != _committed;
            }
        }
    }

    /// <summary>Records registered and not yet finished.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Starts a partition this member takes back at a position past the group's committed offset (records it finished
    /// but could not commit when the partition was revoked): that position is committable at once, so the group's
    /// offset catches up even if no record ever arrives after it.
    /// </summary>
    public void StartAt(long offset)
    {
        lock (_gate)
        {
            if (_pending.Count == 0 && _committable < offset)
            {
                _committable = offset;
                _committed = -1;
            }
        }
    }

    /// <summary>How long the oldest unfinished record has been waiting, or null when none is.</summary>
    public TimeSpan? OldestPendingAge
    {
        get
        {
            lock (_gate)
            {
                return _pending.TryPeek(out var head) ? TimeSpan.FromMilliseconds(Environment.TickCount64 - head.RegisteredAt) : null;
            }
        }
    }

    public Entry Register(long offset)
    {
        var entry = new Entry(offset);
        lock (_gate)
        {
            _pending.Enqueue(entry);
        }

        return entry;
    }

    /// <summary>Marks a record finished; returns true when that moved the committable offset.</summary>
    public bool Complete(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (entry.IsFinished)
            {
                return false;
            }

            entry.IsFinished = true;
            var moved = false;
            while (_pending.TryPeek(out var head) && head.IsFinished)
            {
                _pending.Dequeue();
                _committable = head.Offset + 1;
                moved = true;
            }

            return moved;
        }
    }

    /// <summary>The committable offset if it moved since the last call that returned one; marks it as committed.</summary>
    public bool TryTakeUncommitted(out long offset)
    {
        lock (_gate)
        {
            offset = _committable;
            if (_committable < 0 || _committable == _committed)
            {
                return false;
            }

            _committed = _committable;
            return true;
        }
    }

    /// <summary>Undoes <see cref="TryTakeUncommitted"/> when the commit failed, so the next attempt retries it.</summary>
    public void CommitFailed(long offset)
    {
        lock (_gate)
        {
            if (_committed == offset)
            {
                _committed = -1;
            }
        }
    }

    /// <summary>One registered record.</summary>
    public sealed class Entry(long offset)
    {
        public long Offset { get; } = offset;

        public long RegisteredAt { get; } = Environment.TickCount64;

        public bool IsFinished { get; set; }
    }
}
