using System.Text.Json;
using Confluent.Kafka;

namespace Logbus.Specs.Kafka;

/// <summary>Plain Confluent clients for specs: records written and read as any non-MassTransit application would.</summary>
internal static class RawRecords
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Produces JSON records to explicit partitions, with no headers at all.</summary>
    public static void Produce<T>(string bootstrapServers, string topic, IEnumerable<(int Partition, string? Key, T Value)> records)
    {
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).Build();
        var failures = 0;
        foreach (var (partition, key, value) in records)
        {
            var message = new Message<string?, byte[]> { Key = key, Value = JsonSerializer.SerializeToUtf8Bytes(value, Json) };
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, partition), message, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    });
                    break;
                }
                catch (ProduceException<string?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, failures);
    }

    /// <summary>Reads every record of a topic from the beginning until <paramref name="count"/> arrived.</summary>
    public static List<ConsumeResult<string?, byte[]>> ReadAll(string bootstrapServers, string topic, int count, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string?, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                // Not created (yet): nothing was ever written to it.
                Thread.Sleep(200);
            }
        }

        consumer.Close();
        return records;
    }

    /// <summary>The group's committed offset per partition (-1001 when none).</summary>
    public static Dictionary<int, long> Committed(string bootstrapServers, string topic, string group, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = group }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10));
        return committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }

    public static string Header(ConsumeResult<string?, byte[]> record, string key) =>
        record.Message.Headers.TryGetLastBytes(key, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : "";
}
