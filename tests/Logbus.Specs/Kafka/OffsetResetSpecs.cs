using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Diagnostics;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

/// <summary>
/// A group's position that the broker no longer has (retention deleted the records before they were read) means records
/// were skipped. librdkafka jumps to <c>auto.offset.reset</c> and, with <c>earliest</c>, says so only in a warning log
/// line: no consume error reaches the application. Skipped records are lost data, so the jump is counted and logged.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class OffsetResetSpecs(ITestOutputHelper output)
{
    /// <summary>The dev broker keeps about 5 MiB per partition; a little more than that pushes the oldest records out.</summary>
    private const int Records = 50;

    private const int RecordBytes = 140 * 1024;

    [Fact]
    public async Task Records_retention_deleted_before_the_group_read_them_are_counted_as_skipped()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("retained");
        var group = SpecNames.Unique("group");
        broker.CreateTopic(topic, 1);
        broker.CreateTopic(topic + ".dlq", 1);
        var memberConfig = new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group };
        using (var member = new ConsumerBuilder<Ignore, Ignore>(memberConfig).Build())
        {
            member.Commit([new TopicPartitionOffset(topic, 0, 0)]);
        }

        // Random bytes do not compress: the log outgrows what the broker keeps for the partition, and offset 0 is deleted.
        RawRecords.Produce(broker.BootstrapServers, topic, Enumerable.Range(0, Records)
            .Select(i => (0, (string?)$"r{i}", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(RecordBytes)))));
        Assert.True(LogStart(broker.BootstrapServers, topic) > 0, "the broker should have deleted the partition's oldest records");

        using var resets = new ResetCounter(topic);
        var attempts = new FaultSpecs.FlakyAttempts();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<FaultSpecs.FlakyConsumer>();
            r.AddProducer<FlakyMessage>(topic);
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<FlakyMessage>(topic, group, e => e.ConfigureConsumer<FaultSpecs.FlakyConsumer>(context));
            });
        }, configureServices: s => s.AddSingleton(attempts));

        await host.Rider.GetProducer<FlakyMessage>(topic).Produce(new FlakyMessage("after", 0));
        await Eventually.TrueAsync(() => attempts.Succeeded.Contains("after"), TimeSpan.FromSeconds(60), "the consumer moved past the gap");
        Assert.True(resets.Total >= 1, "the position the broker had deleted was not counted as a reset");
    }

    private static long LogStart(string bootstrapServers, string topic)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "spec-reader" };
        using var reader = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        return reader.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).Low.Value;
    }

    /// <summary>The rider's <c>offset_resets</c> counter for one topic, read as an exporter reads it.</summary>
    private sealed class ResetCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _latest;

        public ResetCounter(string topic)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KafkaConsumerMetrics.MeterName && instrument.Name == "offset_resets")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "topic", Value: string t } && t == topic)
                    {
                        Interlocked.Exchange(ref _latest, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Total
        {
            get
            {
                _listener.RecordObservableInstruments();
                return Interlocked.Read(ref _latest);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
