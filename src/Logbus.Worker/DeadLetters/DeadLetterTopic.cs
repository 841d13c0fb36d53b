using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults;
using Logbus.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;
using Logbus.Messaging.Kafka.Consuming;
using Npgsql;
using Headers = Confluent.Kafka.Headers;

namespace Logbus.Worker.DeadLetters;

/// <summary>
/// Reads the dead-letter topic of <c>log-events</c> and replays a dead letter: its original record (key, value and
/// headers, without the fault headers) is produced to its original topic again. It keeps its MessageId (a record that
/// had none gets the id the inbox derived for it), so the inbox stores a replayed chunk once however often it is replayed.
/// One consumer, admin client and producer serve every request, one request at a time (a listing is rare and an
/// operator's), and a listing keeps only each record's description, never its payload: a request can cost neither a
/// new Kafka client, nor memory for the payloads it reads.
/// </summary>
public sealed class DeadLetterTopic : IDisposable
{
    /// <summary>The most records a listing reads from each partition.</summary>
    public const int MaxLimit = 1000;

    private static readonly TimeSpan KafkaTimeout = TimeSpan.FromSeconds(10);
    private readonly IOptions<TopicOptions> _topics;
    private readonly NpgsqlDataSource _database;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lazy<IConsumer<byte[], byte[]>> _consumer;
    private readonly Lazy<IAdminClient> _admin;
    private readonly DeadLetterProducer _producer;

    public DeadLetterTopic(IConfiguration configuration, IOptions<TopicOptions> topics, NpgsqlDataSource database, DeadLetterProducer producer)
    {
        _producer = producer;
        _topics = topics;
        _database = database;
        var bootstrapServers = configuration.GetKafkaBootstrapServers();
        _consumer = new(() => new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            // Assigned partitions only: the group is never joined and nothing is committed.
            GroupId = "logbus-dead-letter-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            // What librdkafka fetches ahead of Consume: a few MB, not its default of up to 64 MB per partition.
            QueuedMaxMessagesKbytes = 4096,
            MaxPartitionFetchBytes = 1024 * 1024,
            FetchMaxBytes = 4 * 1024 * 1024,
        }).Build());
        _admin = new(() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build());
    }

    public string Topic => _topics.Value.LogEventsDeadLetters;

    /// <summary>The newest dead letters, newest first, at most <paramref name="limit"/> per partition.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        var letters = await OneAtATimeAsync(() => Read(limit), cancellationToken);
        var replays = await ReplaysAsync(cancellationToken);
        return [.. letters
            .Select(l => replays.TryGetValue((l.Partition, l.Offset), out var at) ? l.Letter with { ReplayedAt = at } : l.Letter)
            .OrderByDescending(d => d.DeadLetteredAt)];
    }

    /// <summary>Produces the dead letter's original record to its original topic; null when there is no such dead letter.</summary>
    public async Task<(string Topic, Guid MessageId)?> ReplayAsync(int partition, long offset, CancellationToken cancellationToken)
    {
        var record = await OneAtATimeAsync(() => ReadOne(partition, offset), cancellationToken);
        if (record is null)
        {
            return null;
        }

        var headers = new Headers();
        string? messageId = null;
        foreach (var header in record.Message.Headers ?? [])
        {
            if (header.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) || header.Key.StartsWith("Kafka-Original-", StringComparison.Ordinal))
            {
                continue;
            }

            if (header.Key == MessageHeaders.MessageId)
            {
                messageId = Encoding.UTF8.GetString(header.GetValueBytes());
            }

            headers.Add(header.Key, header.GetValueBytes());
        }

        var target = Header(record, KafkaHeaders.OriginalTopic) ?? _topics.Value.LogEvents;
        if (!Guid.TryParse(messageId, out var id))
        {
            // The inbox knew the record by an id derived from where it was first read; keep that identity.
            id = DeterministicMessageId.For(target, int.Parse(Header(record, KafkaHeaders.OriginalPartition) ?? "0", CultureInfo.InvariantCulture),
                long.Parse(Header(record, KafkaHeaders.OriginalOffset) ?? "0", CultureInfo.InvariantCulture));
            headers.Add(MessageHeaders.MessageId, Encoding.UTF8.GetBytes(id.ToString()));
        }

        var original = new Message<byte[]?, byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
        await _producer.ProduceAsync(target, original, cancellationToken);

        await using var command = _database.CreateCommand("""
            INSERT INTO dead_letter_replays (dead_letter_topic, dead_letter_partition, dead_letter_offset, message_id, replayed_to)
            VALUES (@topic, @partition, @offset, @message_id, @target)
            ON CONFLICT (dead_letter_topic, dead_letter_partition, dead_letter_offset) DO UPDATE SET replayed_at = now()
            """);
        command.Parameters.AddWithValue("topic", Topic);
        command.Parameters.AddWithValue("partition", partition);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("message_id", id);
        command.Parameters.AddWithValue("target", target);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (target, id);
    }

    public void Dispose()
    {
        if (_consumer.IsValueCreated)
        {
            _consumer.Value.Close();
            _consumer.Value.Dispose();
        }

        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }

        _gate.Dispose();
    }

    /// <summary>Runs a read with the shared consumer, off the request thread; one at a time, since a consumer is not shared.</summary>
    private async Task<T> OneAtATimeAsync<T>(Func<T> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() =>
            {
                try
                {
                    return read();
                }
                finally
                {
                    _consumer.Value.Unassign();
                }
            }, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<(int Partition, long Offset, DeadLetter Letter)> Read(int limitPerPartition)
    {
        var consumer = _consumer.Value;
        var ranges = new List<(TopicPartition Partition, long From, long To)>();
        foreach (var partition in Partitions())
        {
            var marks = consumer.QueryWatermarkOffsets(partition, KafkaTimeout);
            if (marks.High > marks.Low)
            {
                ranges.Add((partition, Math.Max(marks.Low.Value, marks.High.Value - limitPerPartition), marks.High.Value));
            }
        }

        var letters = new List<(int Partition, long Offset, DeadLetter Letter)>();
        if (ranges.Count == 0)
        {
            return letters;
        }

        consumer.Assign(ranges.Select(r => new TopicPartitionOffset(r.Partition, r.From)));
        var remaining = ranges.ToDictionary(r => r.Partition.Partition.Value, r => r.To);
        var deadline = DateTime.UtcNow + KafkaTimeout;
        while (remaining.Count > 0 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (record is null || record.IsPartitionEOF)
            {
                continue;
            }

            letters.Add((record.Partition.Value, record.Offset.Value, Describe(record, replayedAt: null)));
            if (record.Offset.Value + 1 >= remaining.GetValueOrDefault(record.Partition.Value, long.MaxValue))
            {
                remaining.Remove(record.Partition.Value);
            }
        }

        return letters;
    }

    private ConsumeResult<byte[], byte[]>? ReadOne(int partition, long offset)
    {
        var consumer = _consumer.Value;
        var topicPartition = new TopicPartition(Topic, partition);
        if (!Partitions().Contains(topicPartition))
        {
            return null;
        }

        var marks = consumer.QueryWatermarkOffsets(topicPartition, KafkaTimeout);
        if (offset < marks.Low.Value || offset >= marks.High.Value)
        {
            return null;
        }

        consumer.Assign(new TopicPartitionOffset(topicPartition, offset));
        var deadline = DateTime.UtcNow + KafkaTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record && record.Offset.Value == offset)
            {
                return record;
            }
        }

        throw new TimeoutException($"Could not read {Topic}[{partition}]@{offset} within {KafkaTimeout.TotalSeconds:0} s.");
    }

    private List<TopicPartition> Partitions()
    {
        var topic = _admin.Value.GetMetadata(Topic, KafkaTimeout).Topics.SingleOrDefault(t => t.Topic == Topic);
        return topic is null || topic.Error.IsError ? [] : [.. topic.Partitions.Select(p => new TopicPartition(Topic, p.PartitionId))];
    }

    private async Task<Dictionary<(int, long), DateTimeOffset>> ReplaysAsync(CancellationToken cancellationToken)
    {
        var replays = new Dictionary<(int, long), DateTimeOffset>();
        await using var command = _database.CreateCommand(
            "SELECT dead_letter_partition, dead_letter_offset, replayed_at FROM dead_letter_replays WHERE dead_letter_topic = @topic");
        command.Parameters.AddWithValue("topic", Topic);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            replays[(reader.GetInt32(0), reader.GetInt64(1))] = reader.GetFieldValue<DateTimeOffset>(2);
        }

        return replays;
    }

    private static DeadLetter Describe(ConsumeResult<byte[], byte[]> r, DateTimeOffset? replayedAt) => new(
        $"{r.Partition.Value}-{r.Offset.Value}",
        Header(r, MessageHeaders.FaultTimestamp) is { } at
            && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
            : r.Message.Timestamp.UtcDateTime,
        Header(r, KafkaHeaders.OriginalTopic),
        int.TryParse(Header(r, KafkaHeaders.OriginalPartition), CultureInfo.InvariantCulture, out var p) ? p : null,
        long.TryParse(Header(r, KafkaHeaders.OriginalOffset), CultureInfo.InvariantCulture, out var o) ? o : null,
        Header(r, MessageHeaders.FaultExceptionType),
        Header(r, MessageHeaders.FaultMessage),
        int.TryParse(Header(r, KafkaHeaders.FaultAttempts), CultureInfo.InvariantCulture, out var a) ? a : null,
        Header(r, MessageHeaders.MessageId),
        Header(r, MessageHeaders.MessageType),
        r.Message.Value?.Length ?? 0,
        replayedAt);

    private static string? Header(ConsumeResult<byte[], byte[]> record, string name) =>
        record.Message.Headers?.TryGetLastBytes(name, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
}
