using System.Text.Json;
using Confluent.Kafka;
using Logbus.Messaging.Kafka.Consuming;
using Logbus.Messaging.Kafka.Serialization;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>
/// The configurator handed to <c>TopicEndpoint&lt;T&gt;(topic, group, e => …)</c> and the builder of the endpoint.
/// It borrows a receive endpoint configuration from the bus's host, so serialization, topology and the bus's
/// observers (test harness, metrics) apply to topic endpoints as to any other endpoint.
/// </summary>
/// <remarks>
/// Deserialization follows the record's <c>Content-Type</c> header: the MassTransit envelope
/// (<c>application/vnd.masstransit+json</c>) or raw JSON (<c>application/json</c>), raw JSON when the header is absent.
/// Several message types may share a topic when their records say which they are (the envelope, or the
/// <c>MT-MessageType</c> header the rider's producers write).
/// A record no consumer takes and a consumer that throws are both faults, handled by the endpoint's fault policy —
/// never a silent skip. <c>Fault&lt;T&gt;</c> is published only when <c>PublishFaults</c> is set (default off).
/// </remarks>
internal sealed class KafkaTopicReceiveEndpointConfiguration : ReceiveEndpointConfiguration, IKafkaTopicReceiveEndpointConfigurator
{
    private readonly IBusInstance _busInstance;
    private readonly IReceiveEndpointConfiguration _borrowed;
    private readonly KafkaRider _rider;
    private readonly RecordJsonSerializerFactory _records = new(RawSerializerOptions.AddTransportHeaders);

    public KafkaTopicReceiveEndpointConfiguration(IBusInstance busInstance, IReceiveEndpointConfiguration borrowed,
        KafkaTopicEndpointSettings settings, KafkaRider rider)
        : base(busInstance.HostConfiguration, borrowed)
    {
        _busInstance = busInstance;
        _borrowed = borrowed;
        _rider = rider;
        Settings = settings;

        PublishFaults = false;
        ConfigureConsumeTopology = false;
        this.ThrowOnSkippedMessages();
        this.RethrowFaultedMessages();
        // Raw JSON records that name their type (MT-MessageType) reach only consumers of that type; records without it,
        // from producers outside MassTransit, are taken as whatever the endpoint consumes. Messages are read straight from
        // the record's bytes (RecordJsonDeserializer).
        AddDeserializer(_records, isDefault: true);
    }

    public KafkaTopicEndpointSettings Settings { get; }

    public override Uri HostAddress => _borrowed.HostAddress;

    /// <summary>
    /// <c>topic:&lt;name&gt;?group=&lt;group&gt;</c>: a topic address (sends to it reach the topic) that still tells two
    /// endpoints on one topic apart, as MassTransit's health and metrics need.
    /// </summary>
    public override Uri InputAddress => new($"{TopicAddress.For(Settings.Topic)}?group={Uri.EscapeDataString(Settings.GroupId)}");

    public void ConfigureRecordJsonOptions(Func<JsonSerializerOptions, JsonSerializerOptions> configure) => _records.ConfigureJsonOptions(configure);

    public AutoOffsetReset AutoOffsetReset
    {
        set => Settings.AutoOffsetReset = value;
    }

    public TimeSpan SessionTimeout
    {
        set => Settings.SessionTimeout = value;
    }

    public TimeSpan MaxPollInterval
    {
        set => Settings.MaxPollInterval = value;
    }

    public int PrefetchPerPartition
    {
        set => Settings.PrefetchPerPartition = value;
    }

    public long PrefetchBytesPerPartition
    {
        set => Settings.PrefetchBytesPerPartition = value;
    }

    public int KeyConcurrency
    {
        set => Settings.KeyConcurrency = value;
    }

    public int ConcurrentDeliveryLimit
    {
        set => Settings.ConcurrentDeliveryLimit = value;
    }

    public int ConsumerCount
    {
        set => Settings.ConsumerCount = value;
    }

    public TimeSpan CommitInterval
    {
        set => Settings.CommitInterval = value;
    }

    public TimeSpan DrainTimeout
    {
        set => Settings.DrainTimeout = value;
    }

    public void DeadLetterOnFault(string? deadLetterTopic = null)
    {
        Settings.FaultHandling = KafkaFaultHandling.DeadLetter;
        if (deadLetterTopic is not null)
        {
            Settings.DeadLetterTopic = deadLetterTopic;
        }
    }

    public void RedeliverOnFault(Action<KafkaRedeliveryOptions>? configure = null)
    {
        Settings.FaultHandling = KafkaFaultHandling.Redeliver;
        configure?.Invoke(Settings.Redelivery);
    }

    public void CreateIfMissing(Action<KafkaTopicOptions>? configure = null)
    {
        var options = new KafkaTopicOptions();
        configure?.Invoke(options);
        Settings.CreateIfMissing = options;
    }

    public void ConfigureClient(Action<ConsumerConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Settings.ClientConfigurators.Add(configure);
    }

    public override IEnumerable<ValidationResult> Validate() =>
        Settings.Validate()
            .Select(message => this.Failure("TopicEndpoint", $"{Settings.Topic} ({Settings.GroupId})", message))
            .Concat(base.Validate());

    public override ReceiveEndpointContext CreateReceiveEndpointContext()
    {
        // Last of the endpoint's middleware, so it sits inside any retry and counts every attempt.
        AddPipeSpecification(new DeliveryAttemptFilter.Specification());
        ApplySpecifications(new ReceiveEndpointBuilder(this));
        var context = new KafkaReceiveEndpointContext(_busInstance.HostConfiguration, this, Settings, _rider);
        context.GetOrAddPayload(() => _busInstance.HostConfiguration.Topology);
        return context;
    }

    public ReceiveEndpoint Build(out KafkaReceiveEndpointContext context)
    {
        context = (KafkaReceiveEndpointContext)CreateReceiveEndpointContext();
        var endpointContext = context;
        var transportPipe = Pipe.New<KafkaConsumerContext>(pipe => pipe.UseFilter(new KafkaConsumerFilter(endpointContext)));
        var transport = new ReceiveTransport<KafkaConsumerContext>(_busInstance.HostConfiguration, context, () => endpointContext.ConsumerSupervisor,
            transportPipe);
        return new ReceiveEndpoint(transport, context);
    }
}
