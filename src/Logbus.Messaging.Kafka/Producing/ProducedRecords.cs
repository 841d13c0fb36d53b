using System.Collections.Concurrent;
using System.Text.Json;
using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// What this rider's producer delivered: the highest offset per partition (a broker whose log ends below it lost
/// records), the average size of a record on the wire per topic (to turn a lag in records into bytes), for topics whose
/// lag is watched the offset and size of each record the watching groups may not have read yet, and, when a replay window
/// is set, the delivered records themselves, kept until the watching consumer groups passed them or the window ended, so
/// they can be produced again to a broker that lost its log.
/// </summary>
internal sealed class ProducedRecords
{
    /// <summary>
    /// Per partition, at most this many unread records are remembered (16 bytes each); older ones count at the average size.
    /// A lag this long is far past what the dev broker keeps; on a cluster with a large retention it prices the oldest of a
    /// long backlog as before.
    /// </summary>
    public const int MaxUnreadRecords = 32_768;

    private readonly ConcurrentDictionary<TopicPartition, PartitionRecords> _partitions = new();
    private readonly ConcurrentDictionary<string, byte> _watched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TopicSizes> _sizes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OnTheirWay> _sending = new(StringComparer.Ordinal);
    private long _retainedBytes;

    /// <summary>How long delivered records are kept for a replay; zero keeps none.</summary>
    public TimeSpan ReplayWindow { get; set; }

    /// <summary>At most this many bytes are kept for a replay; the oldest go first.</summary>
    public long ReplayMaxBytes { get; set; } = 512L * 1024 * 1024;

    public long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>Bytes kept for a replay of <paramref name="topic"/>.</summary>
    public long RetainedBytesOf(string topic) =>
        _partitions.Where(p => p.Key.Topic == topic).Sum(p => { lock (p.Value) { return p.Value.KeptBytes; } });

    /// <summary>Records kept for a replay that were dropped because <see cref="ReplayMaxBytes"/> was reached.</summary>
    public long DroppedForSpace { get; private set; }

    /// <summary>A record as the broker keeps it, near enough: key, value and headers.</summary>
    public static int SizeOf(Message<byte[], byte[]> message)
    {
        var bytes = (message.Key?.Length ?? 0) + (message.Value?.Length ?? 0);
        if (message.Headers is { } headers)
        {
            foreach (var header in headers)
            {
                bytes += header.Key.Length + (header.GetValueBytes()?.Length ?? 0);
            }
        }

        return bytes;
    }

    /// <summary>
    /// A record of <paramref name="bytes"/> handed to the producer: it counts in <see cref="SendingBytes"/> until
    /// <see cref="Sent"/>, whether the broker acknowledges it or not.
    /// </summary>
    public void Sending(string topic, int bytes)
    {
        var sending = _sending.GetOrAdd(topic, _ => new OnTheirWay());
        Interlocked.Add(ref sending.Bytes, bytes);
        Interlocked.Increment(ref sending.Started);
    }

    /// <summary>The producer is done with a record <see cref="Sending"/> counted: acknowledged (and <see cref="Delivered"/>) or failed.</summary>
    public void Sent(string topic, int bytes)
    {
        if (_sending.TryGetValue(topic, out var sending))
        {
            Interlocked.Add(ref sending.Bytes, -bytes);
        }
    }

    /// <summary>Bytes of records handed to the producer for <paramref name="topic"/> and not acknowledged or failed yet.</summary>
    public long SendingBytes(string topic) => _sending.TryGetValue(topic, out var sending) ? Interlocked.Read(ref sending.Bytes) : 0;

    /// <summary>How many records were handed to the producer for <paramref name="topic"/> since this process started.</summary>
    public long StartedRecords(string topic) => _sending.TryGetValue(topic, out var sending) ? Interlocked.Read(ref sending.Started) : 0;

    /// <summary>
    /// Remembers the offset and size of every record delivered to <paramref name="topic"/> until <see cref="Consumed"/>
    /// passes it: for the retention guard, which watches the topic's lag.
    /// </summary>
    public void WatchUnread(string topic) => _watched.TryAdd(topic, 0);

    /// <summary>
    /// The records this producer delivered to <paramref name="partition"/> at or past the position <see cref="Consumed"/>
    /// last gave (up to <see cref="MaxUnreadRecords"/>): how many, and their bytes on the broker at most
    /// (<see cref="StoredAtMost"/>). Nothing for a topic not watched (<see cref="WatchUnread"/>).
    /// </summary>
    public UnreadRecords Unread(TopicPartition partition)
    {
        if (!_partitions.TryGetValue(partition, out var records) || records.Unread is null)
        {
            return default;
        }

        lock (records)
        {
            return new UnreadRecords(records.Unread.Count, records.UnreadAtMost);
        }
    }

    /// <summary>
    /// What a record of <paramref name="bytes"/> (key, value and headers) can take on the broker: a batch of its own (a
    /// 61-byte header), a record's framing (lengths, offset and timestamp deltas, a varint per header length), and LZ4's
    /// worst case for data that does not compress. An upper bound, so that counting records by it never holds too late.
    /// </summary>
    internal static long StoredAtMost(int bytes, int headers) => bytes + 96 + (10L * headers) + (bytes / 128);

    /// <param name="bytes">The record's <see cref="SizeOf"/>, when the caller measured it already.</param>
    public void Delivered(DeliveryResult<byte[], byte[]> result, DateTimeOffset now, int? bytes = null)
    {
        var size = bytes ?? SizeOf(result.Message);
        _sizes.GetOrAdd(result.Topic, _ => new TopicSizes()).AddUncompressed(size);
        var partition = _partitions.GetOrAdd(result.TopicPartition, _ => new PartitionRecords());
        var keep = ReplayWindow > TimeSpan.Zero;
        var watched = _watched.ContainsKey(result.Topic);
        lock (partition)
        {
            partition.HighestOffset = Math.Max(partition.HighestOffset, result.Offset.Value);
            if (watched)
            {
                partition.AddUnread(result.Offset.Value, StoredAtMost(size, result.Message.Headers?.Count ?? 0));
            }

            if (keep)
            {
                partition.Kept.Enqueue(new KeptRecord(result.Message, result.Offset.Value, now, size));
                partition.KeptBytes += size;
                Interlocked.Add(ref _retainedBytes, size);
            }
        }

        if (keep && RetainedBytes > ReplayMaxBytes)
        {
            DropOldest();
        }
    }

    /// <summary>Topics and partitions delivered to, each with the highest offset delivered.</summary>
    public IReadOnlyList<(TopicPartition Partition, long HighestOffset)> Highest() =>
        [.. _partitions.Select(p => (p.Key, p.Value.HighestOffset)).Where(p => p.HighestOffset >= 0)];

    /// <summary>The highest offset delivered to <paramref name="partition"/>, or -1.</summary>
    public long HighestOffset(TopicPartition partition) =>
        _partitions.TryGetValue(partition, out var records) ? Volatile.Read(ref records.HighestOffset) : -1;

    /// <summary>Average bytes of one record as produced (see <see cref="TopicSizes"/>): at least what the broker stores of it.</summary>
    public double AverageRecordBytes(string topic) => _sizes.TryGetValue(topic, out var sizes) ? sizes.Average : 0;

    /// <summary>Reads the per-topic bytes and records transmitted (<c>txbytes</c>, <c>txmsgs</c>) from librdkafka's statistics.</summary>
    public void Statistics(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("topics", out var topics))
            {
                return;
            }

            foreach (var topic in topics.EnumerateObject())
            {
                long messages = 0, bytes = 0;
                foreach (var partition in topic.Value.GetProperty("partitions").EnumerateObject().Where(p => p.Name != "-1"))
                {
                    messages += partition.Value.GetProperty("txmsgs").GetInt64();
                    bytes += partition.Value.GetProperty("txbytes").GetInt64();
                }

                _sizes.GetOrAdd(topic.Name, _ => new TopicSizes()).SetWire(messages, bytes);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A malformed report is skipped; the next one comes within the statistics interval.
        }
    }

    /// <summary>Forgets kept and unread records below <paramref name="offset"/>: the watching groups have consumed them.</summary>
    public void Consumed(TopicPartition partition, long offset)
    {
        if (_partitions.TryGetValue(partition, out var records))
        {
            lock (records)
            {
                while (records.Kept.TryPeek(out var kept) && kept.Offset < offset)
                {
                    Release(records, records.Kept.Dequeue());
                }

                records.ReadUpTo(offset);
            }
        }
    }

    /// <summary>Forgets kept records delivered before <paramref name="cutoff"/>.</summary>
    public void Expire(DateTimeOffset cutoff)
    {
        foreach (var records in _partitions.Values)
        {
            lock (records)
            {
                while (records.Kept.TryPeek(out var kept) && kept.Delivered < cutoff)
                {
                    Release(records, records.Kept.Dequeue());
                }
            }
        }
    }

    /// <summary>
    /// Takes every kept record of <paramref name="topic"/>, oldest first per partition, and forgets the highest offsets
    /// delivered there: the broker lost them, and the replay delivers them again.
    /// </summary>
    public List<Message<byte[], byte[]>> TakeForReplay(string topic)
    {
        var taken = new List<Message<byte[], byte[]>>();
        foreach (var (partition, records) in _partitions.Where(p => p.Key.Topic == topic).OrderBy(p => p.Key.Partition.Value))
        {
            lock (records)
            {
                records.HighestOffset = -1;
                // The broker's new log numbers the replayed records afresh; they are remembered again as they are delivered.
                records.ReadUpTo(long.MaxValue);
                while (records.Kept.TryDequeue(out var kept))
                {
                    Release(records, kept);
                    taken.Add(kept.Message);
                }
            }
        }

        return taken;
    }

    private void DropOldest()
    {
        while (RetainedBytes > ReplayMaxBytes)
        {
            var oldest = _partitions.Values
                .Select(r => { lock (r) { return (Records: r, First: r.Kept.TryPeek(out var k) ? k : null); } })
                .Where(r => r.First is not null)
                .MinBy(r => r.First!.Delivered);
            if (oldest.Records is null)
            {
                return;
            }

            lock (oldest.Records)
            {
                if (oldest.Records.Kept.TryDequeue(out var kept))
                {
                    Release(oldest.Records, kept);
                    DroppedForSpace++;
                }
            }
        }
    }

    /// <summary>Forgets a kept record; under the lock of its partition.</summary>
    private void Release(PartitionRecords records, KeptRecord kept)
    {
        records.KeptBytes -= kept.Bytes;
        Interlocked.Add(ref _retainedBytes, -kept.Bytes);
    }

    private sealed class PartitionRecords
    {
        // A field, so that the guard can read it on every send without taking the lock.
        public long HighestOffset = -1;

        /// <summary>Bytes of <see cref="Kept"/>; under the lock.</summary>
        public long KeptBytes { get; set; }

        public Queue<KeptRecord> Kept { get; } = new();

        /// <summary>
        /// Offset and bytes on the broker at most of delivered records the watching groups may not have read, oldest first;
        /// under the lock.
        /// </summary>
        public Queue<(long Offset, long AtMost)>? Unread { get; private set; }

        /// <summary>Bytes on the broker at most of <see cref="Unread"/>; under the lock.</summary>
        public long UnreadAtMost { get; private set; }

        /// <summary>Whether <see cref="Unread"/> grew past a few thousand entries since it was last trimmed.</summary>
        private bool _unreadGrown;

        public void AddUnread(long offset, long atMost)
        {
            Unread ??= new Queue<(long Offset, long AtMost)>();
            if (Unread.Count >= MaxUnreadRecords)
            {
                UnreadAtMost -= Unread.Dequeue().AtMost;
            }

            Unread.Enqueue((offset, atMost));
            UnreadAtMost += atMost;
            _unreadGrown |= Unread.Count > 4096;
        }

        public void ReadUpTo(long offset)
        {
            while (Unread is not null && Unread.TryPeek(out var unread) && unread.Offset < offset)
            {
                UnreadAtMost -= Unread.Dequeue().AtMost;
            }

            if (Unread is { Count: 0 } && _unreadGrown)
            {
                // A backlog read: give back what its queue grew to.
                Unread.TrimExcess();
                _unreadGrown = false;
            }
        }
    }

    private sealed class OnTheirWay
    {
        public long Bytes;
        public long Started;
    }

    private sealed record KeptRecord(Message<byte[], byte[]> Message, long Offset, DateTimeOffset Delivered, int Bytes);

    /// <summary>
    /// A record's size on the broker, as of the records sent lately. The average over the producer's life was what the
    /// guard used: after thousands of small chunks (single events) it was a fraction of a 1,000-event chunk's size, so a
    /// burst of large chunks looked several times smaller than it was, the guard held too late, and the dev broker
    /// deleted records nobody had read (a load bench lost 8 chunks). Now: the recent uncompressed record size (a moving
    /// average that follows a change within tens of records) times the ratio of librdkafka's per-partition
    /// <c>txbytes</c> to what was produced, never less than the lifetime <c>txbytes</c> average. (librdkafka counts
    /// <c>txbytes</c> as produced, before compression: the ratio is about 1, and LZ4-compressed records count at their
    /// uncompressed size, which errs on the safe side.)
    /// </summary>
    private sealed class TopicSizes
    {
        /// <summary>Weight of the newest record in the moving average: about the last 20 records count.</summary>
        private const double RecentWeight = 0.1;

        private readonly Lock _gate = new();
        private long _uncompressedRecords;
        private long _uncompressedBytes;
        private double _recentUncompressed;
        private long _wireRecords;
        private long _wireBytes;
        private long _uncompressedBytesAtWire;

        public double Average
        {
            get
            {
                lock (_gate)
                {
                    if (_wireRecords == 0 || _uncompressedBytesAtWire == 0)
                    {
                        // No statistics yet: as produced (larger than on the wire when compressed, so the guard errs early).
                        return Math.Max(_recentUncompressed, _uncompressedRecords == 0 ? 0 : (double)_uncompressedBytes / _uncompressedRecords);
                    }

                    var lifetime = (double)_wireBytes / _wireRecords;
                    var compression = (double)_wireBytes / _uncompressedBytesAtWire;
                    return Math.Max(lifetime, _recentUncompressed * compression);
                }
            }
        }

        public void AddUncompressed(int bytes)
        {
            lock (_gate)
            {
                _uncompressedRecords++;
                _uncompressedBytes += bytes;
                _recentUncompressed = _uncompressedRecords == 1 ? bytes : _recentUncompressed + (RecentWeight * (bytes - _recentUncompressed));
            }
        }

        public void SetWire(long records, long bytes)
        {
            lock (_gate)
            {
                _wireBytes = bytes;
                _wireRecords = records;
                _uncompressedBytesAtWire = _uncompressedBytes;
            }
        }
    }
}

/// <summary>Records a watched partition's groups may not have read: how many, and their bytes on the broker at most.</summary>
internal readonly record struct UnreadRecords(long Records, long AtMost);
