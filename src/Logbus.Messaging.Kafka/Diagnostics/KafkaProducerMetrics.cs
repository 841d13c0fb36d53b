using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Logbus.Messaging.Kafka.Diagnostics;

/// <summary>
/// The producer's queue on the <c>Logbus.Messaging.Kafka</c> meter (<c>logbus_messaging_kafka_producer_queue</c> and
/// <c>…_producer_queue_bytes</c> in Prometheus): records handed to librdkafka and not yet acknowledged by the broker.
/// Confluent's producer has no property for it; librdkafka reports it in its periodic statistics, read here.
/// </summary>
public static class KafkaProducerMetrics
{
    /// <summary>How often librdkafka reports statistics when the producer's configuration does not say.</summary>
    public const int StatisticsIntervalMs = 5000;

    private static readonly Meter Meter = new(KafkaConsumerMetrics.MeterName);
    private static readonly ConcurrentDictionary<string, (long Messages, long Bytes)> Queues = new(StringComparer.Ordinal);

    static KafkaProducerMetrics()
    {
        Meter.CreateObservableGauge("producer.queue", () => Observe(q => q.Messages), "{record}",
            "Records in the producer's queue: produced, not yet acknowledged by the broker.");
        Meter.CreateObservableGauge("producer.queue_bytes", () => Observe(q => q.Bytes), "By",
            "Bytes of the records in the producer's queue.");
    }

    /// <summary>Reads one librdkafka statistics document (<c>msg_cnt</c>, <c>msg_size</c>) of the producer named.</summary>
    internal static void Statistics(string client, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            Queues[client] = (root.GetProperty("msg_cnt").GetInt64(), root.GetProperty("msg_size").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A malformed report is skipped; the next one comes within the statistics interval.
        }
    }

    /// <summary>The producer is gone; its queue is no longer reported.</summary>
    internal static void Forget(string client) => Queues.TryRemove(client, out _);

    private static IEnumerable<Measurement<long>> Observe(Func<(long Messages, long Bytes), long> value) =>
        Queues.Select(q => new Measurement<long>(value(q.Value), new KeyValuePair<string, object?>("client", q.Key))).ToList();
}
