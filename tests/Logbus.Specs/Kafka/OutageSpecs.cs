using Confluent.Kafka;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Testing;
using Logbus.Messaging.Kafka.Health;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

[Trait("Kind", "Chaos")]
public sealed class OutageSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task After_the_broker_is_down_for_ten_seconds_consumption_resumes_without_a_restart_and_readiness_showed_the_outage()
    {
        using var broker = SharedServers.Track(KafkaDevBroker.Start());
        var topic = SpecNames.Unique("outage");
        broker.CreateTopic(topic, 2);
        var log = new SequenceLog();
        var group = SpecNames.Unique("group");
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<OrderingSpecs.SequenceConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.UnreachableTimeout = TimeSpan.FromSeconds(2);
                k.TopicEndpoint<SequencedMessage>(topic, group, e =>
                {
                    e.SessionTimeout = TimeSpan.FromSeconds(6);
                    e.ConfigureConsumer<OrderingSpecs.SequenceConsumer>(context);
                });
            });
        }, configureServices: s =>
        {
            s.AddSingleton(log);
            s.AddHealthChecks().AddKafkaRider();
        });
        var health = host.Services.GetRequiredService<HealthCheckService>();
        async Task<HealthStatus> Readiness() => (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status;

        RawRecords.Produce(broker.BootstrapServers, topic, Enumerable.Range(0, 50)
            .Select(i => (i % 2, (string?)null, new SequencedMessage(i % 2, i))));
        await Eventually.TrueAsync(() => log.Count == 50, TimeSpan.FromSeconds(30), "the records before the outage were consumed");
        Assert.Equal(HealthStatus.Healthy, await Readiness());
        // Committed first, so that whatever the outage does to the group, nothing before it is delivered again.
        await Eventually.TrueAsync(() => RawRecords.Committed(broker.BootstrapServers, topic, group, 2).Values.Sum() == 50, TimeSpan.FromSeconds(20),
            "the records before the outage were committed");

        broker.SetAllBrokersDown();
        var down = DateTime.UtcNow;
        using var producer = new ProducerBuilder<Null,
            byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, MessageTimeoutMs = 120_000 })
            .SetLogHandler((_, _) => { })
            .Build();
        var during = Enumerable.Range(50, 50)
            .Select(i => producer.ProduceAsync(new TopicPartition(topic, i % 2),
                new Message<Null, byte[]> { Value = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new SequencedMessage(i % 2, i),
                    RawRecords.Json) }))
            .ToList();

        await Eventually.TrueAsync(async () => await Readiness() == HealthStatus.Unhealthy, TimeSpan.FromSeconds(30), "readiness reports the outage");
        await Eventually.TrueAsync(() => host.Bus.CheckHealth().Status != BusHealthStatus.Healthy, TimeSpan.FromSeconds(10),
            "MassTransit's bus health reports the topic endpoint down");
        var left = TimeSpan.FromSeconds(10) - (DateTime.UtcNow - down);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }

        Assert.Equal(HealthStatus.Unhealthy, await Readiness());
        broker.SetAllBrokersUp();

        await Task.WhenAll(during).WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => log.Count >= 100, TimeSpan.FromSeconds(60), "the records produced during the outage were consumed");
        await Eventually.TrueAsync(async () => await Readiness() == HealthStatus.Healthy, TimeSpan.FromSeconds(30), "readiness recovered");
        await Eventually.TrueAsync(() => host.Bus.CheckHealth().Status == BusHealthStatus.Healthy, TimeSpan.FromSeconds(30),
            "the bus health recovered");
        Assert.Equal(0, log.OrderViolations);
        Assert.Equal(50, log.CountOf(0));
        Assert.Equal(50, log.CountOf(1));
    }
}
