using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>Everything a topic endpoint was configured with, read by its consumers at run time.</summary>
internal sealed class KafkaTopicEndpointSettings(string topic, string groupId)
{
    private string? _deadLetterTopic;

    public string Topic { get; } = topic;

    public string GroupId { get; } = groupId;

    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    public TimeSpan? SessionTimeout { get; set; }

    public TimeSpan? MaxPollInterval { get; set; }

    public int PrefetchPerPartition { get; set; } = 5000;

    public long PrefetchBytesPerPartition { get; set; } = 2 * 1024 * 1024;

    public int KeyConcurrency { get; set; } = 1;

    public int ConcurrentDeliveryLimit { get; set; } = 1;

    public int ConsumerCount { get; set; } = 1;

    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public KafkaFaultHandling FaultHandling { get; set; } = KafkaFaultHandling.DeadLetter;

    public string DeadLetterTopic
    {
        get => _deadLetterTopic ?? Topic + ".dlq";
        set => _deadLetterTopic = value;
    }

    public KafkaRedeliveryOptions Redelivery { get; set; } = new();

    public KafkaTopicOptions? CreateIfMissing { get; set; }

    public List<Action<ConsumerConfig>> ClientConfigurators { get; } = [];

    public ConsumerConfig CreateConsumerConfig(ClientConfig clientConfig, int memberIndex)
    {
        var config = new ConsumerConfig(clientConfig.ToDictionary(p => p.Key, p => p.Value))
        {
            AutoOffsetReset = AutoOffsetReset,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        };
        if (SessionTimeout is { } session)
        {
            config.SessionTimeoutMs = (int)session.TotalMilliseconds;
        }

        if (MaxPollInterval is { } poll)
        {
            config.MaxPollIntervalMs = (int)poll.TotalMilliseconds;
        }

        foreach (var configure in ClientConfigurators)
        {
            configure(config);
        }

        // A resumed partition is fetched only after the fetch already in flight returns, which the broker may hold for
        // fetch.wait.max.ms (500 ms by default); a full lane would idle that long after every pause.
        config.FetchWaitMaxMs ??= 100;

        // librdkafka's default heartbeat (3 s) would let a short session expire between two heartbeats.
        if (config.SessionTimeoutMs is { } sessionMs && config.HeartbeatIntervalMs is null)
        {
            config.HeartbeatIntervalMs = Math.Max(100, sessionMs / 3);
        }

        // The rider owns the group and the commits: offsets are committed only after a record's receive pipe finished,
        // so neither librdkafka's automatic store nor its timer may commit on its own.
        config.GroupId = GroupId;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        config.ClientId = $"{config.ClientId ?? "logbus"}-{Topic}-{memberIndex}";
        return config;
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Topic))
        {
            yield return "the topic must not be empty";
        }

        if (string.IsNullOrWhiteSpace(GroupId))
        {
            yield return "the consumer group must not be empty";
        }

        if (PrefetchPerPartition < 1)
        {
            yield return "PrefetchPerPartition must be at least 1";
        }

        if (PrefetchBytesPerPartition < 1)
        {
            yield return "PrefetchBytesPerPartition must be at least 1";
        }

        if (KeyConcurrency < 1)
        {
            yield return "KeyConcurrency must be at least 1";
        }

        if (ConcurrentDeliveryLimit < 1)
        {
            yield return "ConcurrentDeliveryLimit must be at least 1";
        }

        if (ConsumerCount < 1)
        {
            yield return "ConsumerCount must be at least 1";
        }

        if (CommitInterval <= TimeSpan.Zero)
        {
            yield return "CommitInterval must be positive";
        }

        if (FaultHandling == KafkaFaultHandling.DeadLetter && string.Equals(DeadLetterTopic, Topic, StringComparison.Ordinal))
        {
            yield return "the dead-letter topic must differ from the topic";
        }
    }
}
