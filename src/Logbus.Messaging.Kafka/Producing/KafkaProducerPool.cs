using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Diagnostics;
using Logbus.Messaging.Kafka.Health;
using MassTransit;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// The one Confluent producer a rider shares across topics (librdkafka batches per broker, so one producer is both
/// the fastest and the cheapest). Created on first use; flushed and disposed when the rider stops, and created again
/// if something produces after that.
/// </summary>
internal sealed class KafkaProducerPool(KafkaHostSettings host, KafkaProducerOptions options, KafkaConnectivityMonitor connectivity) : IDisposable
{
    private readonly Lock _gate = new();
    private IProducer<byte[], byte[]>? _producer;

    public KafkaProducerOptions Options { get; } = options;

    /// <summary>What the producer delivered, for the retention guard (lag in bytes, lost logs, replays).</summary>
    public ProducedRecords Produced { get; } = new();

    /// <summary>The shared producer; every send asks, so only its creation takes the lock.</summary>
    public IProducer<byte[], byte[]> Producer => Volatile.Read(ref _producer) ?? CreateShared();

    private IProducer<byte[], byte[]> CreateShared()
    {
        lock (_gate)
        {
            return _producer ??= Create();
        }
    }

    /// <summary>Waits for records in flight, then disposes the producer.</summary>
    public async Task FlushAndCloseAsync()
    {
        IProducer<byte[], byte[]>? producer;
        lock (_gate)
        {
            producer = _producer;
            _producer = null;
        }

        if (producer is null)
        {
            return;
        }

        await Task.Run(() =>
        {
            try
            {
                var left = producer.Flush(Options.FlushTimeout);
                if (left > 0)
                {
                    LogContext.Error?.Log("Kafka producer stopped with {Count} record(s) not delivered within {Timeout}", left, Options.FlushTimeout);
                }
            }
            catch (KafkaException exception)
            {
                LogContext.Error?.Log(exception, "Kafka producer flush failed");
            }
            finally
            {
                KafkaProducerMetrics.Forget(producer.Name);
                producer.Dispose();
            }
        });
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_producer is { } producer)
            {
                KafkaProducerMetrics.Forget(producer.Name);
                producer.Dispose();
            }

            _producer = null;
        }
    }

    /// <summary>
    /// An idempotent producer that hit a fatal error (a broker that lost its log no longer knows its producer id and
    /// sequence numbers) refuses every later record. The next send gets a new producer; the records the old one still
    /// held fail, so the outbox sends them again through the new one.
    /// </summary>
    private void Replace(IProducer<byte[], byte[]> failed)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_producer, failed))
            {
                return;
            }

            _producer = null;
        }

        LogContext.Warning?.Log("Kafka producer {Name} replaced after a fatal error", failed.Name);
        // Disposed off the client's own callback thread, which Dispose would wait for.
        _ = Task.Run(() =>
        {
            KafkaProducerMetrics.Forget(failed.Name);
            failed.Dispose();
        });
    }

    internal ProducerConfig CreateConfig()
    {
        var config = new ProducerConfig(host.CreateClientConfig().ToDictionary(p => p.Key, p => p.Value))
        {
            CompressionType = Options.Compression,
            LingerMs = Options.Linger.TotalMilliseconds,
            MessageTimeoutMs = (int)Options.DeliveryTimeout.TotalMilliseconds,
            MessageMaxBytes = Options.MessageMaxBytes,
            // Unkeyed records (log chunks) go to a random partition each, not in sticky bursts to one: a burst would put a
            // whole backlog on one partition, one consumer lane and one partition's retention, and the retention guard
            // counts records in flight as spread evenly.
            StickyPartitioningLingerMs = 0,
        };
        Options.Configure?.Invoke(config);
        // The queue gauge comes from librdkafka's statistics; a configured interval wins.
        config.StatisticsIntervalMs ??= KafkaProducerMetrics.StatisticsIntervalMs;
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.ClientId = (config.ClientId ?? "logbus") + "-producer";
        return config;
    }

    private IProducer<byte[], byte[]> Create() =>
        new ProducerBuilder<byte[], byte[]>(CreateConfig())
            .SetErrorHandler((producer, error) =>
            {
                connectivity.Report(error, "producer");
                if (error.IsFatal)
                {
                    Replace(producer);
                }
            })
            .SetLogHandler((_, message) => KafkaClientLog.Write(message))
            .SetStatisticsHandler((producer, json) =>
            {
                KafkaProducerMetrics.Statistics(producer.Name, json);
                Produced.Statistics(json);
            })
            .Build();
}
