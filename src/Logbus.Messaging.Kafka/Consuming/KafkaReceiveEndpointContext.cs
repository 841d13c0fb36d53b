using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Diagnostics;
using Logbus.Messaging.Kafka.Producing;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using MassTransit.Util;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// A topic endpoint's receive endpoint context: its settings, its transport supervisor, and the endpoint providers its
/// consume contexts use — topic addresses through the rider, everything else and every publish through the bus.
/// </summary>
internal sealed class KafkaReceiveEndpointContext : BaseReceiveEndpointContext
{
    private readonly KafkaRider _rider;
    private readonly Recycle<KafkaConsumerContextSupervisor> _supervisor;

    public KafkaReceiveEndpointContext(IHostConfiguration hostConfiguration, IReceiveEndpointConfiguration configuration,
        KafkaTopicEndpointSettings settings, KafkaRider rider)
        : base(hostConfiguration, configuration)
    {
        Settings = settings;
        _rider = rider;
        _supervisor = new Recycle<KafkaConsumerContextSupervisor>(() => new KafkaConsumerContextSupervisor());
        DeadLetters = new DeadLetterTopicProducer(rider.Producers, settings);
        KafkaConsumerMetrics.EndpointConfigured(settings.Topic, settings.DeadLetterTopic, settings.GroupId);
    }

    public KafkaTopicEndpointSettings Settings { get; }

    public KafkaRider Rider => _rider;

    public DeadLetterTopicProducer DeadLetters { get; }

    public KafkaConsumerContextSupervisor ConsumerSupervisor => _supervisor.Supervisor;

    public override Exception ConvertException(Exception exception, string message) =>
        new KafkaConnectionException($"{message}{Settings.Topic} ({Settings.GroupId})", exception);

    public override void AddSendAgent(IAgent agent) => _supervisor.Supervisor.AddSendAgent(agent);

    public override void AddConsumeAgent(IAgent agent) => _supervisor.Supervisor.AddConsumeAgent(agent);

    public override void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Add("type", "confluent.kafka");
        context.Add("topic", Settings.Topic);
        context.Add("group", Settings.GroupId);
    }

    protected override ISendTransportProvider CreateSendTransportProvider() =>
        throw new NotSupportedException("Topic endpoints send through the rider's topic endpoints and the bus, not a transport of their own.");

    protected override IPublishTransportProvider CreatePublishTransportProvider() =>
        throw new NotSupportedException("Topic endpoints publish through the bus.");

    protected override ISendEndpointProvider CreateSendEndpointProvider() =>
        new TopicRoutingSendEndpointProvider(_rider.TopicEndpoints, _rider.BusInstance.Bus);

    protected override IPublishEndpointProvider CreatePublishEndpointProvider() => _rider.BusInstance.Bus;
}
