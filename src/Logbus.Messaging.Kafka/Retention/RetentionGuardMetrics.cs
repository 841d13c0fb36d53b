using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Logbus.Messaging.Kafka.Diagnostics;

namespace Logbus.Messaging.Kafka.Retention;

/// <summary>
/// The retention guard on the <c>Logbus.Messaging.Kafka</c> meter: <c>logbus_messaging_kafka_delivery_held</c> (1 while
/// delivery to a topic waits for its consumers), <c>…_delivery_holds</c> (times it began to), <c>…_lost_logs</c> (times a
/// broker was found to have lost delivered records), <c>…_replayed</c> (records produced again after that) and
/// <c>…_replay_kept_bytes</c> (what is kept in memory for a replay); every watched topic's series start at zero.
/// </summary>
internal static class RetentionGuardMetrics
{
    private static readonly Meter Meter = new(KafkaConsumerMetrics.MeterName);
    private static readonly ConcurrentDictionary<string, int> Held = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Func<long>> Kept = new(StringComparer.Ordinal);
    private static readonly TotalsCounter Holds = new(Meter, "delivery_holds", "{hold}",
        "Times delivery to the topic began to wait because a consumer group's lag neared the topic's retention.");

    private static readonly TotalsCounter LostLogs = new(Meter, "lost_logs", "{loss}",
        "Times the broker's log of a topic ended below what this producer had delivered (a restarted dev broker): a replay followed.");

    private static readonly TotalsCounter Replayed = new(Meter, "replayed", "{record}",
        "Delivered records produced again because the broker lost them.");

    static RetentionGuardMetrics()
    {
        Meter.CreateObservableGauge("delivery_held", () => Held.Select(h => new Measurement<int>(h.Value, Tag(h.Key))).ToList(), "{topic}",
            "1 while delivery to the topic is held because a consumer group's lag nears the topic's retention.");
        Meter.CreateObservableGauge("replay_kept_bytes", () => Kept.Select(k => new Measurement<long>(k.Value(), Tag(k.Key))).ToList(), "By",
            "Bytes of delivered records of the topic kept in memory, to be produced again should the broker lose its log.");
    }

    public static void Watch(string topic, Func<long> keptBytes)
    {
        Held.TryAdd(topic, 0);
        Kept[topic] = keptBytes;
        Holds.Zero(new KeyValuePair<string, string>("topic", topic));
        LostLogs.Zero(new KeyValuePair<string, string>("topic", topic));
        Replayed.Zero(new KeyValuePair<string, string>("topic", topic));
    }

    public static void SetHeld(string topic, bool held)
    {
        Held[topic] = held ? 1 : 0;
        if (held)
        {
            Holds.Add(1, new KeyValuePair<string, string>("topic", topic));
        }
    }

    public static void LostLog(string topic) => LostLogs.Add(1, new KeyValuePair<string, string>("topic", topic));

    public static void Replay(string topic, int records) => Replayed.Add(records, new KeyValuePair<string, string>("topic", topic));

    private static KeyValuePair<string, object?> Tag(string topic) => new("topic", topic);
}
