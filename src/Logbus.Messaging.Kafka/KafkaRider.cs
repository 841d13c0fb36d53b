using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Consuming;
using Logbus.Messaging.Kafka.Health;
using Logbus.Messaging.Kafka.Producing;
using Logbus.Messaging.Kafka.Topology;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Middleware;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka;

/// <summary>
/// The Kafka rider of one bus: started and stopped with the bus, it runs the topic endpoints, owns the shared
/// producer (flushed on stop), and watches broker reachability for readiness.
/// </summary>
internal sealed class KafkaRider : IKafkaRider, IRiderControl
{
    private readonly IReceiveEndpointCollection _endpoints;
    private readonly List<KafkaReceiveEndpointContext> _endpointContexts = [];
    private readonly List<KafkaMessageConsumer> _members = [];
    private readonly Lock _gate = new();

    public KafkaRider(IBusInstance busInstance, KafkaHostSettings host, KafkaProducerOptions producerOptions, TimeSpan unreachableTimeout,
        TopicKeySelectors keySelectors, IReceiveEndpointCollection endpoints)
    {
        BusInstance = busInstance;
        Host = host;
        KeySelectors = keySelectors;
        _endpoints = endpoints;
        Connectivity = new KafkaConnectivityMonitor(host, unreachableTimeout);
        Connectivity.ReadinessChanged += NotifyEndpointsAsync;
        Producers = new KafkaProducerPool(host, producerOptions, Connectivity);
        Topics = new TopicCreator(host);

        var hostConfiguration = busInstance.HostConfiguration;
        var serialization = hostConfiguration.BusConfiguration.Serialization.CreateSerializationConfiguration();
        // CopyHeaders: a message replayed from an outbox is read back with this deserializer, and only what it copies
        // (beside MassTransit's own MT- headers) reaches the record, the Kafka key among it.
        var rawJson = new SystemTextJsonRawMessageSerializerFactory(RawSerializerOptions.AddTransportHeaders | RawSerializerOptions.CopyHeaders);
        serialization.AddSerializer(rawJson);
        serialization.AddDeserializer(rawJson);
        serialization.SerializerContentType = rawJson.ContentType;
        var sendPipe = new SendPipeConfiguration(hostConfiguration.BusConfiguration.Send.Specification).CreatePipe();
        TopicEndpoints = new TopicSendEndpointProvider(hostConfiguration, Producers, serialization.CreateSerializerCollection(), sendPipe,
            keySelectors, Connectivity);
    }

    public IBusInstance BusInstance { get; }

    public KafkaHostSettings Host { get; }

    public KafkaProducerPool Producers { get; }

    public KafkaConnectivityMonitor Connectivity { get; }

    public TopicCreator Topics { get; }

    public TopicKeySelectors KeySelectors { get; }

    public TopicSendEndpointProvider TopicEndpoints { get; }

    public ISendEndpointProvider TopicSendEndpointProvider => TopicEndpoints;

    KafkaConnectivity IKafkaRider.Connectivity => Connectivity.Snapshot;

    /// <summary>The group members this rider runs right now, across its topic endpoints.</summary>
    public IReadOnlyList<KafkaMessageConsumer> Members
    {
        get
        {
            lock (_gate)
            {
                return [.. _members];
            }
        }
    }

    /// <summary>Partitions owned by this process's group members, across its topic endpoints.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return [.. _members.SelectMany(m => m.Assignment)];
            }
        }
    }

    public ITopicProducer<T> GetProducer<T>(string topic)
        where T : class =>
        new TopicProducer<T>(TopicEndpoints.GetTopicEndpoint(topic), topic);

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => TopicEndpoints.ConnectSendObserver(observer);

    public RiderHandle Start(CancellationToken cancellationToken = default)
    {
        Connectivity.Start();
        var handles = _endpoints.StartEndpoints(cancellationToken);
        return new Handle(this, handles);
    }

    public IEnumerable<EndpointHealthResult> CheckEndpointHealth() => _endpoints.CheckEndpointHealth();

    internal void Register(KafkaReceiveEndpointContext context)
    {
        lock (_gate)
        {
            _endpointContexts.Add(context);
        }
    }

    internal void Track(IEnumerable<KafkaMessageConsumer> members)
    {
        lock (_gate)
        {
            _members.AddRange(members);
        }
    }

    internal void Untrack(IEnumerable<KafkaMessageConsumer> members)
    {
        lock (_gate)
        {
            foreach (var member in members)
            {
                _members.Remove(member);
            }
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _endpoints.StopEndpoints(cancellationToken);
        }
        finally
        {
            await Producers.FlushAndCloseAsync();
            await Connectivity.StopAsync();
        }
    }

    /// <summary>Broker outages show on the topic endpoints' health too, which MassTransit's own bus health check reports.</summary>
    private async Task NotifyEndpointsAsync(bool ready, Exception? reason)
    {
        List<KafkaReceiveEndpointContext> contexts;
        lock (_gate)
        {
            contexts = [.. _endpointContexts];
        }

        foreach (var context in contexts)
        {
            if (ready)
            {
                await context.TransportObservers.NotifyReady(context.InputAddress);
            }
            else
            {
                await context.TransportObservers.NotifyFaulted(context.InputAddress, reason ?? new KafkaConnectionException("Kafka unreachable"));
            }
        }
    }

    private sealed class Handle(KafkaRider rider, HostReceiveEndpointHandle[] endpoints) : RiderHandle
    {
        public Task Ready => Task.WhenAll(endpoints.Select(e => e.Ready));

        public Task StopAsync(CancellationToken cancellationToken) => rider.StopAsync(cancellationToken);
    }
}
