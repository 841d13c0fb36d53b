using System.Text.Json;
using Confluent.Kafka;

namespace Logbus.Bench.Measuring;

/// <summary>
/// What an event costs in Kafka: a sample of the ingest topic's records read back (their values as the Api produced them,
/// uncompressed), the events in each (the chunk's <c>events</c> array), and the same values produced again lz4-compressed as
/// the Api's producer sends them, counting the bytes librdkafka transmitted (its <c>txbytes</c> statistic): a broker
/// stores a batch as it was sent.
/// </summary>
internal static class KafkaFootprint
{
    public static (double ValueBytesPerEvent, double Lz4BytesPerEvent, int Records, long Events) Measure(BenchContext context, string topic,
        int maxRecords, TimeSpan within)
    {
        var values = new List<byte[]>();
        long events = 0;
        using (var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = context.KafkaBootstrapServers,
            GroupId = $"bench-footprint-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build())
        {
            consumer.Subscribe(topic);
            var deadline = DateTime.UtcNow + within;
            while (values.Count < maxRecords && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result?.Message?.Value is { } value)
                {
                    values.Add(value);
                    events += EventsIn(value);
                }
            }

            consumer.Close();
        }

        if (values.Count == 0 || events == 0)
        {
            return (0, 0, 0, 0);
        }

        long sent = 0;
        var scratch = $"{topic}.footprint";
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = context.KafkaBootstrapServers,
            CompressionType = CompressionType.Lz4,
            LingerMs = 5,
            StatisticsIntervalMs = 100,
        }).SetStatisticsHandler((_, json) => Interlocked.Exchange(ref sent, JsonDocument.Parse(json).RootElement.GetProperty("txbytes").GetInt64()))
            .Build())
        {
            foreach (var value in values)
            {
                producer.Produce(scratch, new Message<byte[], byte[]> { Value = value });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
            Thread.Sleep(300);
        }

        return ((double)values.Sum(v => (long)v.Length) / events, (double)Interlocked.Read(ref sent) / events, values.Count, events);
    }

    /// <summary>The events of one record: the length of its chunk's <c>events</c> array.</summary>
    private static int EventsIn(byte[] value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return Find(document.RootElement) ?? 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    private static int? Find(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("events") && property.Value.ValueKind == JsonValueKind.Array)
            {
                return property.Value.GetArrayLength();
            }

            if (Find(property.Value) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
