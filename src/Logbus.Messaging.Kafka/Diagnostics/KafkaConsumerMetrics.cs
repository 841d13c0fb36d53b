using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Diagnostics;

/// <summary>
/// The rider's consumer metrics on the <c>Logbus.Messaging.Kafka</c> meter, exported by whatever listens to it
/// (prometheus-net's meter adapter in Logbus: <c>logbus_messaging_kafka_consumer_lag</c>,
/// <c>logbus_messaging_kafka_consumer_read_ahead_bytes</c>, <c>logbus_messaging_kafka_dead_lettered</c>,
/// <c>logbus_messaging_kafka_offset_resets</c>): lag per partition, the records between the partition's end as last seen
/// by the fetcher (no extra request) and the offset this member would commit; the bytes it has taken ahead per
/// partition; records sent to a dead-letter topic; and positions the broker no longer had (records skipped).
/// </summary>
public static class KafkaConsumerMetrics
{
    public const string MeterName = "Logbus.Messaging.Kafka";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<ILagSource, byte> Sources = new();
    private static readonly TotalsCounter DeadLetters = new(Meter, "dead_lettered", "{record}",
        "Records a topic endpoint gave up on and produced to its dead-letter topic.");

    private static readonly TotalsCounter OffsetResets = new(Meter, "offset_resets", "{reset}",
        "Times a consumer's position was no longer on the broker (deleted by retention before it was read) and jumped to the reset offset: "
        + "records were skipped.");

    static KafkaConsumerMetrics()
    {
        Meter.CreateObservableGauge("consumer.lag", Observe, "{record}",
            "Records in each assigned partition that this consumer group member has not finished yet.");
        Meter.CreateObservableGauge("consumer.read_ahead_bytes", ObserveReadAhead, "By",
            "Key and value bytes of the records a consumer group member has taken from each partition and not finished: "
            + "memory it holds on the .NET heap, about the endpoint's PrefetchBytesPerPartition at most (a record beyond it).");
    }

    /// <summary>
    /// Creates a topic endpoint's dead-letter and offset-reset series at zero: dashboards show 0 from start-up, and an
    /// alert on <c>increase()</c> sees the first dead letter as a step from 0 to 1.
    /// </summary>
    internal static void EndpointConfigured(string topic, string deadLetterTopic, string groupId)
    {
        DeadLetters.Zero(DeadLetterTags(topic, deadLetterTopic, groupId));
        OffsetResets.Zero(Tag("topic", topic), Tag("group", groupId));
    }

    internal static void DeadLettered(string topic, string deadLetterTopic, string groupId) =>
        DeadLetters.Add(1, DeadLetterTags(topic, deadLetterTopic, groupId));

    internal static void OffsetReset(string topic, string groupId) => OffsetResets.Add(1, Tag("topic", topic), Tag("group", groupId));

    internal static IDisposable Track(ILagSource source)
    {
        Sources[source] = 0;
        return new Registration(source);
    }

    private static KeyValuePair<string, string>[] DeadLetterTags(string topic, string deadLetterTopic, string groupId) =>
        [Tag("topic", topic), Tag("dead_letter_topic", deadLetterTopic), Tag("group", groupId)];

    private static KeyValuePair<string, string> Tag(string name, string value) => new(name, value);

    private static IEnumerable<Measurement<long>> Observe()
    {
        foreach (var source in Sources.Keys)
        {
            foreach (var (partition, lag) in source.Lag())
            {
                yield return new Measurement<long>(lag,
                    new KeyValuePair<string, object?>("topic", partition.Topic),
                    new KeyValuePair<string, object?>("partition", partition.Partition.Value),
                    new KeyValuePair<string, object?>("group", source.GroupId));
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObserveReadAhead()
    {
        foreach (var source in Sources.Keys)
        {
            foreach (var (partition, bytes) in source.ReadAhead())
            {
                yield return new Measurement<long>(bytes,
                    new KeyValuePair<string, object?>("topic", partition.Topic),
                    new KeyValuePair<string, object?>("partition", partition.Partition.Value),
                    new KeyValuePair<string, object?>("group", source.GroupId));
            }
        }
    }

    internal interface ILagSource
    {
        string GroupId { get; }

        IEnumerable<(TopicPartition Partition, long Lag)> Lag();

        IEnumerable<(TopicPartition Partition, long Bytes)> ReadAhead();
    }

    private sealed class Registration(ILagSource source) : IDisposable
    {
        public void Dispose() => Sources.TryRemove(source, out _);
    }
}
