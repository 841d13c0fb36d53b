using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Logbus.Messaging.Kafka.Producing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Logbus.Messaging.Kafka.Retention;

/// <summary>
/// Keeps a broker that deletes by size, or forgets everything on a restart (the dev broker), from losing records nobody
/// consumed yet. Every <see cref="KafkaRetentionGuardOptions.CheckInterval"/> it reads, for each watched topic, how far
/// the watched consumer groups are behind each partition's end, in bytes (this producer's records behind at their own
/// size, others at the average record size it sent), and holds delivery to the topic (<see cref="IsHeld"/>, asked by the
/// outbox) while a partition's lag nears the topic's retention; the backlog then waits in the outbox. It also notices a
/// broker that lost delivered records (its log ends below an offset this producer was acknowledged, or its cluster id
/// changed) and produces the records kept for the replay window again; the consumers' inbox stores each once.
/// </summary>
public sealed partial class KafkaRetentionGuard : BackgroundService
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetentionCacheTime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan HoldWarningsQuietFor = TimeSpan.FromMinutes(1);

    /// <summary>How librdkafka's mock cluster, the dev broker, names itself.</summary>
    private const string MockClusterIdPrefix = "mockCluster";

    private readonly KafkaRiderAccessor _riders;
    private readonly KafkaRetentionGuardOptions _options;
    private readonly ILogger<KafkaRetentionGuard> _logger;
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LastLook> _looks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _unseen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long? Bytes, DateTimeOffset Until)> _retention = new(StringComparer.Ordinal);
    private readonly HoldLogThrottle _holdLogs = new(HoldWarningsQuietFor, TimeProvider.System);
    private IAdminClient? _admin;
    private IConsumer<Ignore, Ignore>? _reader;
    private string? _cluster;
    private bool _failing;
    private DateTimeOffset? _lookingSince;
    private int _looksDone;

    internal KafkaRetentionGuard(KafkaRiderAccessor riders, KafkaRetentionGuardOptions options, ILogger<KafkaRetentionGuard> logger)
    {
        _riders = riders;
        _options = options;
        _logger = logger;
        foreach (var (topic, groups) in options.ConsumerGroups)
        {
            RetentionGuardMetrics.Watch(topic, () => _riders.Rider?.Producers.Produced.RetainedBytesOf(topic) ?? 0);
            if (groups.Count > 0)
            {
                // Until a look has read how far its groups are behind, nothing says a backlog would fit: a process that
                // starts with an outbox full of what the groups are waiting for would otherwise send it all in its first second.
                _unseen[topic] = 0;
            }
        }

        // From the rider's first record, not from this guard's first look: what is delivered before that look (a second
        // after start) would otherwise not be kept, and a broker restarting then would lose it.
        riders.WhenCreated(rider =>
        {
            rider.Producers.Produced.ReplayWindow = options.ReplayWindow;
            rider.Producers.Produced.ReplayMaxBytes = options.ReplayMaxBytes;
            foreach (var (topic, groups) in options.ConsumerGroups.Where(g => g.Value.Count > 0))
            {
                rider.Producers.Produced.WatchUnread(topic);
            }
        });
    }

    /// <summary>
    /// True while delivery to <paramref name="topic"/> waits for its consumer groups to catch up. Asked once per record
    /// right before it is sent. A partition's lag is what the last look found, or more when this producer has delivered
    /// past it since: the producer knows each delivered record's partition and offset, so records spread over many
    /// partitions count against each partition only once. Records on their way count too, at their size: those the
    /// producer has and the broker has not acknowledged (a whole round of outboxes sent at once, or a look taken while
    /// they travel, must not overshoot the retention), and those let through and not handed to the producer yet, at the
    /// average size. Before this producer delivered any record to the topic every record counts as the largest it sends,
    /// and before the first look at a watched topic nothing goes. Spread over several partitions, twice their even share
    /// counts against the most-behind one.
    /// </summary>
    public bool IsHeld(string topic)
    {
        if (IsHolding(topic))
        {
            return true;
        }

        if (!_looks.TryGetValue(topic, out var look) || _riders.Rider is not { } rider)
        {
            return false;
        }

        var produced = rider.Producers.Produced;
        var recordBytes = RecordBytes(rider, topic);
        var behind = 0d;
        foreach (var (partition, seen) in look.Partitions)
        {
            behind = Math.Max(behind, BytesBehind(produced, partition, seen, recordBytes));
        }

        var notHandedOver = Math.Max(0, Volatile.Read(ref look.LetThrough) - (produced.StartedRecords(topic) - look.StartedBefore));
        var onTheirWay = produced.SendingBytes(topic) + (notHandedOver * recordBytes);
        // The producer spreads records over the partitions at random (no sticky batches); twice an even share allows for chance.
        // and a record lands on one partition whole, so never less than one record's worth of what is on its way.
        var share = look.Partitions.Count <= 1 ? onTheirWay
            : Math.Min(onTheirWay, Math.Max(2 * onTheirWay / look.Partitions.Count, recordBytes));
        var estimate = behind + share;
        if (estimate >= _options.HoldAtRatio * look.RetentionBytes)
        {
            Hold(topic, (long)estimate, look.RetentionBytes);
            return true;
        }

        Interlocked.Increment(ref look.LetThrough);
        return false;
    }

    /// <summary>
    /// Whether delivery to <paramref name="topic"/> is held now, without estimating anything or counting a record as let
    /// through (which <see cref="IsHeld"/> does): for looking ahead at records that may not be sent yet.
    /// </summary>
    public bool IsHolding(string topic) => _held.ContainsKey(topic) || _unseen.ContainsKey(topic);

    /// <summary>Whether a look has read <paramref name="topic"/>'s partitions and retention, so that <see cref="IsHeld"/> can hold it.</summary>
    internal bool HasLooked(string topic) => _looks.ContainsKey(topic) && !_unseen.ContainsKey(topic);

    /// <summary>How many looks at a reachable broker have ended without an error since start.</summary>
    internal int Looks => Volatile.Read(ref _looksDone);

    /// <summary>The topics held now, for health reports.</summary>
    public IReadOnlyCollection<string> HeldTopics => [.. _held.Keys];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_riders.Rider is not { } rider)
                {
                    // The first look as soon as the bus has started its rider: delivery to watched topics waits for it.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100, _options.CheckInterval.TotalMilliseconds)), stoppingToken);
                    continue;
                }

                try
                {
                    await CheckAsync(rider, stoppingToken);
                    _failing = false;
                }
                catch (KafkaException e)
                {
                    // The broker away: the connectivity monitor says so; held topics stay held until a look succeeds.
                    if (!_failing)
                    {
                        LogCheckFailed(e.Error.Reason);
                    }

                    _failing = true;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A bug or an answer this guard did not expect must not stop the service it protects (a background
                    // service that throws stops its host): held topics stay held, and the next look tries again.
                    LogCheckCrashed(e);
                    _failing = true;
                }

                EndStartupHoldIfOverdue();
                await Task.Delay(_options.CheckInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(KafkaRider rider, CancellationToken cancellationToken)
    {
        var produced = rider.Producers.Produced;
        if (rider.Connectivity.Snapshot.UnreachableSince is not null)
        {
            // Nothing to learn from a broker that is away; held topics stay held until a look succeeds.
            return;
        }

        _lookingSince ??= DateTimeOffset.UtcNow;
        // One admin client per look, never one that outlives a broker: librdkafka 2.16 aborted the process when a client
        // with admin requests in flight met the restarted dev broker, which comes back with another cluster id.
        using var admin = new AdminClientBuilder(rider.Host.CreateClientConfig()).Build();
        using var reader = CreateReader(rider, "logbus-retention-guard");
        _admin = admin;
        _reader = reader;
        try
        {
            await LookAsync(rider, produced, cancellationToken);
            Interlocked.Increment(ref _looksDone);
        }
        finally
        {
            _admin = null;
            _reader = null;
        }
    }

    private async Task LookAsync(KafkaRider rider, ProducedRecords produced, CancellationToken cancellationToken)
    {
        var lost = await LostTopicsAsync(produced);
        // Log ends alone miss a restart when the new log has grown past the old one's end before this look (what was
        // sent while the broker was away reaches it first); another cluster id says the whole log is gone.
        var cluster = _admin!.ClusterId(RequestTimeout);
        if (cluster is not null && _cluster is not null && cluster != _cluster)
        {
            var delivered = produced.Highest().Select(h => h.Partition.Topic).Where(t => produced.RetainedBytesOf(t) > 0).Distinct().ToList();
            LogClusterChanged(_cluster, cluster, string.Join(", ", delivered));
            lost.UnionWith(delivered);
        }

        _cluster = cluster ?? _cluster;
        foreach (var topic in lost)
        {
            await ReplayAsync(rider, topic, cancellationToken);
        }

        // One topic's failed look must not leave the others unlooked (held from start-up, or judged on an old look).
        KafkaException? failed = null;
        foreach (var (topic, groups) in _options.ConsumerGroups)
        {
            try
            {
                await WatchLagAsync(rider, produced, topic, groups);
            }
            catch (KafkaException e)
            {
                failed ??= e;
            }
        }

        if (failed is not null)
        {
            throw failed;
        }

        produced.Expire(DateTimeOffset.UtcNow - _options.ReplayWindow);
    }

    /// <summary>
    /// Topics whose delivered records the broker no longer has: its log ends below an offset it acknowledged. (A cluster id
    /// would say "another broker" sooner, but librdkafka's mock cluster does not answer DescribeCluster.)
    /// </summary>
    private async Task<HashSet<string>> LostTopicsAsync(ProducedRecords produced)
    {
        var highest = produced.Highest();
        var lost = new HashSet<string>(StringComparer.Ordinal);
        if (highest.Count == 0)
        {
            return lost;
        }

        var ends = await LogEndsAsync(highest.Select(h => h.Partition));
        foreach (var (partition, offset) in highest)
        {
            if (ends.TryGetValue(partition, out var end) && end.High <= offset)
            {
                lost.Add(partition.Topic);
            }
        }

        return lost;
    }

    /// <summary>
    /// Where each partition's log starts and ends, asked by the look's consumer (a watermark query; it never joins a
    /// group). Not the admin client's ListOffsets: in librdkafka 2.16 an admin request whose broker connection drops can
    /// release its reply queue twice, and the admin client's disposal then aborted the process (the dev broker's restart
    /// hit it). Not a consumer kept between looks either: one took the process down when the restarted dev broker came
    /// back as another cluster.
    /// </summary>
    private Task<Dictionary<TopicPartition, (long Low, long High)>> LogEndsAsync(IEnumerable<TopicPartition> partitions)
    {
        var reader = _reader!;
        var list = partitions.ToList();
        return Task.Run(() => list.ToDictionary(p => p, p =>
        {
            var watermarks = reader.QueryWatermarkOffsets(p, RequestTimeout);
            return (watermarks.Low.Value, watermarks.High.Value);
        }));
    }

    /// <summary>
    /// What <paramref name="group"/> committed on each partition, asked by a consumer of that group that never joins it.
    /// Not the admin client's ListConsumerGroupOffsets: in librdkafka 2.16 a coordinator-bound admin request whose
    /// connection drops frees its state twice and aborts the process (the dev broker's restart hit it).
    /// </summary>
    private static Task<List<TopicPartitionOffset>> CommittedAsync(KafkaRider rider, string group, List<TopicPartition> partitions) =>
        Task.Run(() =>
        {
            using var reader = CreateReader(rider, group);
            return reader.Committed(partitions, RequestTimeout);
        });

    /// <summary>A consumer that only asks (offsets, watermarks): it never subscribes, so it never joins <paramref name="group"/>.</summary>
    private static IConsumer<Ignore, Ignore> CreateReader(KafkaRider rider, string group)
    {
        var config = new ConsumerConfig(rider.Host.CreateClientConfig().ToDictionary(p => p.Key, p => p.Value))
        {
            GroupId = group,
            ClientId = "logbus-retention-guard",
            EnableAutoCommit = false,
        };
        return new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>
    /// A kept record as a producer may send it: its delivery may carry the broker's append time, which only a broker sets,
    /// so only a creation time is kept.
    /// </summary>
    private static Message<byte[], byte[]> Resent(Message<byte[], byte[]> kept) => new()
    {
        Key = kept.Key,
        Value = kept.Value,
        Headers = kept.Headers,
        Timestamp = kept.Timestamp.Type == TimestampType.CreateTime ? kept.Timestamp : Timestamp.Default,
    };

    /// <summary>Produces every kept record of the topic again, in the order they were first delivered, until all are acknowledged.</summary>
    private async Task ReplayAsync(KafkaRider rider, string topic, CancellationToken cancellationToken)
    {
        var produced = rider.Producers.Produced;
        var pending = produced.TakeForReplay(topic);
        RetentionGuardMetrics.LostLog(topic);
        LogLostLog(topic, pending.Count);
        var replayed = 0;
        while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            var producer = rider.Producers.Producer;
            var attempts = pending.Select(async message =>
            {
                try
                {
                    return (Message: message, Result: await producer.ProduceAsync(topic, Resent(message), cancellationToken));
                }
                catch (ProduceException<byte[], byte[]>)
                {
                    return (Message: message, Result: (DeliveryResult<byte[], byte[]>?)null);
                }
            }).ToList();
            var results = await Task.WhenAll(attempts);
            foreach (var delivered in results.Where(r => r.Result is not null))
            {
                produced.Delivered(delivered.Result!, DateTimeOffset.UtcNow);
            }

            replayed += results.Count(r => r.Result is not null);
            pending = [.. results.Where(r => r.Result is null).Select(r => r.Message)];
            if (pending.Count > 0)
            {
                await Task.Delay(_options.CheckInterval, cancellationToken);
            }
        }

        RetentionGuardMetrics.Replay(topic, replayed);
        LogReplayed(topic, replayed);
    }

    private async Task WatchLagAsync(KafkaRider rider, ProducedRecords produced, string topic, IList<string> groups)
    {
        var metadata = _admin!.GetMetadata(topic, RequestTimeout).Topics.SingleOrDefault();
        if (metadata is null || metadata.Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            // A topic the broker does not have holds nothing to lose.
            _unseen.TryRemove(topic, out _);
            return;
        }

        if (metadata.Error.IsError || groups.Count == 0)
        {
            // Another error may pass: what the last look found stands (before the first, the topic stays held).
            return;
        }

        var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var ends = await LogEndsAsync(partitions);
        var positions = partitions.ToDictionary(p => p, p => long.MaxValue);
        foreach (var group in groups)
        {
            foreach (var committed in await CommittedAsync(rider, group, partitions))
            {
                var low = ends[committed.TopicPartition].Low;
                var position = committed.Offset.Value >= 0 ? Math.Max(committed.Offset.Value, low) : low;
                positions[committed.TopicPartition] = Math.Min(positions[committed.TopicPartition], position);
            }
        }

        var startedBefore = produced.StartedRecords(topic);
        var seen = new Dictionary<TopicPartition, (long Position, long Lag)>();
        foreach (var partition in partitions)
        {
            var position = positions[partition] == long.MaxValue ? ends[partition].Low : positions[partition];
            seen[partition] = (position, ends[partition].High - position);
            produced.Consumed(partition, position);
        }

        var retention = await RetentionBytesAsync(topic);
        var recordBytes = RecordBytes(rider, topic);
        var lagBytes = (long)seen.Max(s => BytesBehind(produced, s.Key, s.Value, recordBytes));
        if (retention is { } known)
        {
            _looks[topic] = new LastLook(seen, known, startedBefore);
        }
        else
        {
            _looks.TryRemove(topic, out _);
        }

        var held = _held.ContainsKey(topic);
        if (retention is not { } limit)
        {
            Release(topic, lagBytes, "the topic has no byte retention");
        }
        else if (!held && lagBytes >= _options.HoldAtRatio * limit)
        {
            Hold(topic, lagBytes, limit);
        }
        else if (held && lagBytes < _options.ResumeAtRatio * limit)
        {
            Release(topic, lagBytes, "the consumers caught up");
        }

        // Only now: a hold this look found must be in place before the first look stops holding the topic.
        _unseen.TryRemove(topic, out _);
    }

    /// <summary>
    /// Ends the start-up hold of topics no look could read within <see cref="KafkaRetentionGuardOptions.StartupHoldLimit"/>
    /// of the first look at a reachable broker: unguarded delivery is the lesser harm than none.
    /// </summary>
    private void EndStartupHoldIfOverdue()
    {
        if (_unseen.IsEmpty || _lookingSince is not { } since || DateTimeOffset.UtcNow - since < _options.StartupHoldLimit)
        {
            return;
        }

        var topics = _unseen.Keys.ToList();
        foreach (var topic in topics)
        {
            _unseen.TryRemove(topic, out _);
        }

        LogStartupHoldEnded(string.Join(", ", topics), _options.StartupHoldLimit);
    }

    /// <summary>
    /// The bytes the watched groups are behind on <paramref name="partition"/>: the records behind the look's position (as
    /// many as it found, or more when this producer has delivered past them since). This producer's own count at their own
    /// size as produced with a record's framing (<see cref="ProducedRecords.StoredAtMost"/>: never less than the broker
    /// keeps of them, compressed or not); any others (another producer's, or from before this process) at
    /// <paramref name="recordBytes"/>. All at the average size, a few small records behind counted as large after a phase of
    /// large ones (delivery went to the outbox while the consumers kept up), and large ones behind a phase of small ones
    /// counted as small (the guard held late).
    /// </summary>
    private static double BytesBehind(ProducedRecords produced, TopicPartition partition, (long Position, long Lag) seen,
        double recordBytes)
    {
        var records = Math.Max(seen.Lag, produced.HighestOffset(partition) + 1 - seen.Position);
        var unread = produced.Unread(partition);
        if (unread.Records == 0)
        {
            return records * recordBytes;
        }

        var own = Math.Min(unread.Records, records);
        return ((double)unread.AtMost * own / unread.Records) + ((records - own) * recordBytes);
    }

    /// <summary>
    /// A record of <paramref name="topic"/> on the broker: the size learnt from this producer's deliveries or, before its
    /// first, the largest record it may send. A process started while the consumers are far behind (a restarted Api with
    /// a backlog in its outbox) has learnt nothing yet, and counting their lag at nothing would let the backlog out.
    /// </summary>
    private static double RecordBytes(KafkaRider rider, string topic) =>
        rider.Producers.Produced.AverageRecordBytes(topic) is > 0 and var average ? average : rider.Producers.Options.MessageMaxBytes;

    private void Hold(string topic, long lagBytes, long retentionBytes)
    {
        if (_held.TryAdd(topic, 0))
        {
            RetentionGuardMetrics.SetHeld(topic, true);
            var groups = _options.ConsumerGroups.TryGetValue(topic, out var watched) ? string.Join(", ", watched) : "";
            if (_holdLogs.Warns(topic, out var unreported))
            {
                LogHolding(topic, lagBytes, retentionBytes, groups, unreported);
            }
            else
            {
                LogHoldingAgain(topic, lagBytes, retentionBytes);
            }
        }
    }

    private void Release(string topic, long lagBytes, string why)
    {
        if (_held.TryRemove(topic, out _))
        {
            RetentionGuardMetrics.SetHeld(topic, false);
            if (_holdLogs.ReportsRelease(topic))
            {
                LogResumed(topic, lagBytes, why);
            }
            else
            {
                LogResumedAgain(topic, lagBytes, why);
            }
        }
    }

    /// <summary>The bytes one partition of the topic keeps, or null when it keeps everything; cached, as it rarely changes.</summary>
    private async Task<long?> RetentionBytesAsync(string topic)
    {
        if (_options.RetentionBytes is { } configured)
        {
            return configured;
        }

        if (_retention.TryGetValue(topic, out var cached) && cached.Until > DateTimeOffset.UtcNow)
        {
            return cached.Bytes;
        }

        // The cluster id this look already read (LookAsync), not a second metadata request.
        var bytes = _cluster?.StartsWith(MockClusterIdPrefix, StringComparison.Ordinal) == true
            // librdkafka's mock cluster (the dev broker) answers no DescribeConfigs: asking would wait for a controller
            // until the timeout, on every new topic.
            ? KafkaRetentionGuardOptions.DevBrokerPartitionBytes
            : await DescribedRetentionBytesAsync(topic);
        _retention[topic] = (bytes, DateTimeOffset.UtcNow + RetentionCacheTime);
        return bytes;
    }

    private async Task<long?> DescribedRetentionBytesAsync(string topic)
    {
        try
        {
            var described = await _admin!.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }],
                new DescribeConfigsOptions { RequestTimeout = RequestTimeout });
            return described.Single().Entries.TryGetValue("retention.bytes", out var entry)
                && long.TryParse(entry.Value, out var value) && value > 0
                    ? value
                    : null;
        }
        catch (KafkaException e)
        {
            // A broker that does not say is taken to keep what the dev broker keeps.
            LogRetentionUnknown(topic, e.Error.Reason, KafkaRetentionGuardOptions.DevBrokerPartitionBytes);
            return KafkaRetentionGuardOptions.DevBrokerPartitionBytes;
        }
    }

    /// <summary>
    /// What the last look found on each partition (the watched groups' position and the records behind it), how many
    /// records this producer had been handed for the topic when it looked, and how many were let through since.
    /// </summary>
    private sealed class LastLook(IReadOnlyDictionary<TopicPartition, (long Position, long Lag)> partitions, long retentionBytes,
        long startedBefore)
    {
        public long LetThrough;

        public IReadOnlyDictionary<TopicPartition, (long Position, long Lag)> Partitions { get; } = partitions;

        public long RetentionBytes { get; } = retentionBytes;

        public long StartedBefore { get; } = startedBefore;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Holding delivery to {Topic} in the outbox: consumer group(s) {Groups} are {LagBytes} bytes behind on a partition, " +
                  "near the {RetentionBytes} bytes the broker keeps per partition ({Unreported} more hold(s) since the last such warning; " +
                  "holds within a minute of it are logged at Debug)")]
    private partial void LogHolding(string topic, long lagBytes, long retentionBytes, string groups, int unreported);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Holding delivery to {Topic} again ({LagBytes} of {RetentionBytes} bytes behind)")]
    private partial void LogHoldingAgain(string topic, long lagBytes, long retentionBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming delivery to {Topic} ({Why}; lag now {LagBytes} bytes)")]
    private partial void LogResumed(string topic, long lagBytes, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resuming delivery to {Topic} again ({Why}; lag now {LagBytes} bytes)")]
    private partial void LogResumedAgain(string topic, long lagBytes, string why);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The broker lost records of {Topic} that it had acknowledged (restarted, or another cluster); producing the {Count} kept " +
                  "for the replay window again")]
    private partial void LogLostLog(string topic, int count);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The broker is another cluster ({Previous} before, {Cluster} now): it has none of the records delivered before; " +
                  "replaying {Topics}")]
    private partial void LogClusterChanged(string previous, string cluster, string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replayed {Count} record(s) to {Topic}")]
    private partial void LogReplayed(string topic, int count);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "The broker did not describe {Topic}'s retention ({Reason}); taking {RetentionBytes} bytes per partition, as the dev broker keeps")]
    private partial void LogRetentionUnknown(string topic, string reason, long retentionBytes);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The retention guard could not read how far the consumer groups of {Topics} are behind within {Limit} of start-up; " +
                  "delivering to them without the guard until a look succeeds (see the warnings before this for why the looks failed)")]
    private partial void LogStartupHoldEnded(string topics, TimeSpan limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "The retention guard's look at the broker failed unexpectedly; it tries again")]
    private partial void LogCheckCrashed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The retention guard could not read lag from Kafka ({Reason}); it tries again")]
    private partial void LogCheckFailed(string reason);
}
