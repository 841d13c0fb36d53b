using System.Text.Json;
using Confluent.Kafka;
using MassTransit;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>
/// A topic endpoint: everything a MassTransit receive endpoint offers (consumers, sagas, retry, circuit breaker, kill
/// switch, observers…) plus how records are taken from Kafka, ordered, committed and given up on.
/// </summary>
/// <remarks>
/// Ordering: each partition is one lane, processed in offset order. <see cref="KeyConcurrency"/> splits a partition into
/// lanes by message key (order kept per key); <see cref="ConcurrentDeliveryLimit"/> lets one lane run several records at
/// once (dispatched in order, finishing in any order; batch consumers need it at least as large as their batch). Either
/// way an offset is committed only once every record before it has finished its receive pipe.
/// </remarks>
public interface IKafkaTopicReceiveEndpointConfigurator : IReceiveEndpointConfigurator
{
    /// <summary>Where a group without committed offsets starts. Default <see cref="Confluent.Kafka.AutoOffsetReset.Earliest"/>.</summary>
    AutoOffsetReset AutoOffsetReset { set; }

    /// <summary>librdkafka <c>session.timeout.ms</c>: how long the group waits for a silent member.</summary>
    TimeSpan SessionTimeout { set; }

    /// <summary>librdkafka <c>max.poll.interval.ms</c>. The poll loop never waits for consumers, so this is rarely the limit.</summary>
    TimeSpan MaxPollInterval { set; }

    /// <summary>
    /// Records taken ahead per partition; a partition whose lane holds this many (or <see cref="PrefetchBytesPerPartition"/>)
    /// is paused until it drained to half. Default 5000: pausing makes librdkafka drop and re-fetch what it read ahead,
    /// so a small prefetch costs throughput.
    /// </summary>
    int PrefetchPerPartition { set; }

    /// <summary>Key and value bytes taken ahead per partition before it is paused. Default 2 MiB.</summary>
    long PrefetchBytesPerPartition { set; }

    /// <summary>Lanes per partition, chosen by a hash of the message key. Default 1 (strict partition order).</summary>
    int KeyConcurrency { set; }

    /// <summary>Records one lane may have in its receive pipe at once. Default 1 (strict order within the lane).</summary>
    int ConcurrentDeliveryLimit { set; }

    /// <summary>Consumer group members this endpoint runs in this process. Default 1.</summary>
    int ConsumerCount { set; }

    /// <summary>How often finished offsets are committed. Default 1 s. Revoked partitions and a graceful stop commit at once.</summary>
    TimeSpan CommitInterval { set; }

    /// <summary>How long a revoke or a stop waits for records in their receive pipe before giving up on them. Default 30 s.</summary>
    TimeSpan DrainTimeout { set; }

    /// <summary>
    /// Records' messages are read with the options <paramref name="configure"/> makes from MassTransit's shared serializer
    /// options, for this endpoint alone: a converter only its messages need (one that reads a value in place, see
    /// <see cref="Serialization.RecordBeingRead"/>) without changing what every bus of the process reads and writes with.
    /// Only the rider's record deserializer uses them: an endpoint that replaces it (<c>UseRawJsonDeserializer</c>) reads
    /// with MassTransit's shared options.
    /// </summary>
    void ConfigureRecordJsonOptions(Func<JsonSerializerOptions, JsonSerializerOptions> configure);

    /// <summary>
    /// Faulted records go to a dead-letter topic (default <c>&lt;topic&gt;.dlq</c>) with the exception in headers; the
    /// partition moves on. This is the default.
    /// </summary>
    void DeadLetterOnFault(string? deadLetterTopic = null);

    /// <summary>Faulted records are redelivered with back-off until they succeed; their partition waits.</summary>
    void RedeliverOnFault(Action<KafkaRedeliveryOptions>? configure = null);

    /// <summary>
    /// Create the topic (and the dead-letter topic) when missing. Real Kafka only: the dev broker creates topics through its own API.
    /// </summary>
    void CreateIfMissing(Action<KafkaTopicOptions>? configure = null);

    /// <summary>Any other consumer property. Group id, offset storage and commits stay under the rider's control.</summary>
    void ConfigureClient(Action<ConsumerConfig> configure);
}
