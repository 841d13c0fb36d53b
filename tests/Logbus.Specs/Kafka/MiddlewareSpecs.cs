using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

/// <summary>MassTransit middleware and instrumentation on topic endpoints, as on any other endpoint.</summary>
[Trait("Kind", "Integration")]
public sealed class MiddlewareSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_kill_switch_stops_the_topic_endpoint_and_it_resumes_where_it_left_off_after_the_restart_timeout()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("killswitch");
        broker.CreateTopic(topic, 1);
        var dependency = new Dependency();
        var endpoint = new EndpointEvents();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<DependentConsumer>();
            r.AddProducer<ProducedMessage>(topic);
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.SessionTimeout = TimeSpan.FromSeconds(3);
                    e.UseKillSwitch(o => o.SetActivationThreshold(3).SetTripThreshold(0.5).SetRestartTimeout(s: 2));
                    e.RedeliverOnFault(o => o.InitialDelay = TimeSpan.FromMilliseconds(50));
                    e.ConnectReceiveEndpointObserver(endpoint);
                    e.ConfigureConsumer<DependentConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(dependency));

        dependency.Down = true;
        var producer = host.Rider.GetProducer<ProducedMessage>(topic);
        for (var i = 0; i < 10; i++)
        {
            await producer.Produce(new ProducedMessage($"k-{i}", "t"));
        }

        await Eventually.TrueAsync(() => endpoint.Completed > 0, TimeSpan.FromSeconds(30), "the kill switch stopped the endpoint");
        dependency.Down = false;

        await Eventually.TrueAsync(() => dependency.Consumed.Count == 10, TimeSpan.FromSeconds(60), "every record was consumed after the restart");
        Assert.True(endpoint.Ready >= 2, "the endpoint became ready again after the restart");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k-{i}"), dependency.Consumed.Distinct());
    }

    [Fact]
    public async Task A_topic_endpoint_continues_the_producer_s_trace_and_reports_MassTransit_s_receive_metrics()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("traced");
        broker.CreateTopic(topic, 1);
        var traces = new ConcurrentQueue<(string Id, ActivityTraceId TraceId)>();
        var receives = 0L;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "MassTransit" && instrument.Name == "messaging.masstransit.receive")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Value is string endpointName && endpointName.Contains(topic, StringComparison.Ordinal))
                {
                    Interlocked.Add(ref receives, value);
                }
            }
        });
        meters.Start();
        using var activities = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activities);

        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<TraceConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(topic, SpecNames.Unique("group"), e => e.ConfigureConsumer<TraceConsumer>(context));
            });
        }, configureServices: s => s.AddSingleton(traces));

        using var source = new ActivitySource("Logbus.Specs");
        ActivityTraceId producedTrace;
        using (var request = source.StartActivity("request"))
        {
            producedTrace = request!.TraceId;
            await host.Rider.GetProducer<ProducedMessage>(topic).Produce(new ProducedMessage("mt", "t"));
        }

        // A producer outside MassTransit that only speaks W3C trace context.
        var foreignTrace = ActivityTraceId.CreateRandom();
        using (var foreign = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await foreign.ProduceAsync(topic, new Message<Null, byte[]>
            {
                Value = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ProducedMessage("foreign", "t"), RawRecords.Json),
                Headers = new Confluent.Kafka.Headers { { "traceparent",
                    System.Text.Encoding.UTF8.GetBytes($"00-{foreignTrace}-{ActivitySpanId.CreateRandom()}-01") } },
            });
        }

        await Eventually.TrueAsync(() => traces.Count == 2, TimeSpan.FromSeconds(30), "both records were consumed");
        Assert.Equal(producedTrace, traces.Single(t => t.Id == "mt").TraceId);
        Assert.Equal(foreignTrace, traces.Single(t => t.Id == "foreign").TraceId);
        // MassTransit counts a receive once its pipe has finished, which can be just after the consumer ran.
        await Eventually.TrueAsync(() => Interlocked.Read(ref receives) >= 2, TimeSpan.FromSeconds(10),
            "MassTransit counted the receives of the topic endpoint");
    }

    [Fact]
    public async Task UseConcurrencyLimit_bounds_the_consumers_across_the_lanes_of_a_topic_endpoint()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("limited");
        broker.CreateTopic(topic, 4);
        var log = new ConcurrencySpecs.KeyLog();
        RawRecords.Produce(broker.BootstrapServers, topic,
            Enumerable.Range(0, 40).Select(i => (i % 4, (string?)$"key-{i % 4}", new KeyedMessage($"key-{i % 4}", i / 4))));

        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<ConcurrencySpecs.KeyedConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<KeyedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.UseConcurrencyLimit(1);
                    e.ConfigureConsumer<ConcurrencySpecs.KeyedConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(log));

        await Eventually.TrueAsync(() => log.Count == 40, TimeSpan.FromSeconds(30), "every record was consumed");
        Assert.Equal(1, log.MaxConcurrent);
        Assert.Equal(0, log.OrderViolations);
    }

    [Fact]
    public async Task A_circuit_breaker_opens_on_a_failing_dependency_and_the_topic_endpoint_recovers_when_it_closes()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("breaker");
        broker.CreateTopic(topic, 1);
        var dependency = new Dependency { Down = true };
        var failures = new ConcurrentQueue<string>();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<DependentConsumer>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(topic, SpecNames.Unique("group"), e =>
                {
                    e.UseCircuitBreaker(o =>
                    {
                        o.TrackingPeriod = TimeSpan.FromSeconds(10);
                        o.ActiveThreshold = 2;
                        o.TripThreshold = 50;
                        o.ResetInterval = TimeSpan.FromMilliseconds(500);
                    });
                    e.RedeliverOnFault(o =>
                    {
                        o.InitialDelay = TimeSpan.FromMilliseconds(100);
                        o.Factor = 1;
                    });
                    e.ConfigureConsumer<DependentConsumer>(context);
                });
            });
        }, configureServices: s => s.AddSingleton(dependency));
        host.Bus.ConnectReceiveObserver(new FaultRecorder(failures));

        var producer = host.Rider.GetProducer<ProducedMessage>(topic);
        for (var i = 0; i < 5; i++)
        {
            await producer.Produce(new ProducedMessage($"b-{i}", "t"));
        }

        // An open breaker fails records without calling the consumer.
        await Eventually.TrueAsync(() => failures.Count >= dependency.Attempts + 3, TimeSpan.FromSeconds(30), "the circuit breaker opened");
        dependency.Down = false;
        await Eventually.TrueAsync(() => dependency.Consumed.Count == 5, TimeSpan.FromSeconds(30),
            "every record was consumed once the breaker closed");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"b-{i}"), dependency.Consumed);
    }

    public sealed class FaultRecorder(ConcurrentQueue<string> failures) : IReceiveObserver
    {
        public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
            where T : class => Task.CompletedTask;

        public Task ReceiveFault(ReceiveContext context, Exception exception)
        {
            failures.Enqueue(exception.Message);
            return Task.CompletedTask;
        }
    }

    public sealed class Dependency
    {
        private int _attempts;

        public volatile bool Down;

        public int Attempts => Volatile.Read(ref _attempts);

        public void Attempt() => Interlocked.Increment(ref _attempts);

        public ConcurrentQueue<string> Consumed { get; } = new();
    }

    public sealed class DependentConsumer(Dependency dependency) : IConsumer<ProducedMessage>
    {
        public Task Consume(ConsumeContext<ProducedMessage> context)
        {
            dependency.Attempt();
            if (dependency.Down)
            {
                throw new InvalidOperationException("the dependency is down");
            }

            dependency.Consumed.Enqueue(context.Message.Id);
            return Task.CompletedTask;
        }
    }

    public sealed class TraceConsumer(ConcurrentQueue<(string Id, ActivityTraceId TraceId)> traces) : IConsumer<ProducedMessage>
    {
        public Task Consume(ConsumeContext<ProducedMessage> context)
        {
            traces.Enqueue((context.Message.Id, Activity.Current?.TraceId ?? default));
            return Task.CompletedTask;
        }
    }

    public sealed class EndpointEvents : IReceiveEndpointObserver
    {
        private int _ready;
        private int _completed;

        public int Ready => Volatile.Read(ref _ready);

        public int Completed => Volatile.Read(ref _completed);

        Task IReceiveEndpointObserver.Ready(ReceiveEndpointReady ready)
        {
            Interlocked.Increment(ref _ready);
            return Task.CompletedTask;
        }

        public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

        Task IReceiveEndpointObserver.Completed(ReceiveEndpointCompleted completed)
        {
            Interlocked.Increment(ref _completed);
            return Task.CompletedTask;
        }

        public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
    }
}
