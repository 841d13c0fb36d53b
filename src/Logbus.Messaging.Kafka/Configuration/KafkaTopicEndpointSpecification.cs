using Logbus.Messaging.Kafka.Consuming;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>One <c>TopicEndpoint&lt;T&gt;(topic, group, configure)</c>, built into a receive endpoint when the bus is created.</summary>
internal sealed class KafkaTopicEndpointSpecification<T>(string topic, string groupId, Action<IKafkaTopicReceiveEndpointConfigurator> configure)
    : IKafkaTopicEndpointSpecification
    where T : class
{
    public string EndpointName { get; } = $"{TopicAddress.Scheme}:{topic}/{groupId}";

    public string Topic { get; } = topic;

    public string GroupId { get; } = groupId;

    public ReceiveEndpoint CreateReceiveEndpoint(IBusInstance busInstance, KafkaRider rider, out KafkaReceiveEndpointContext context)
    {
        if (string.IsNullOrEmpty(typeof(T).Namespace))
        {
            throw new ConfigurationException(
                $"The Kafka topic endpoint {Topic} ({GroupId}) carries {TypeCache<T>.ShortName}, which has no namespace: "
                + "MassTransit never connects consumers of such types, so nothing would ever be consumed.");
        }

        var borrowed = busInstance.HostConfiguration.CreateReceiveEndpointConfiguration(EndpointName);
        var settings = new KafkaTopicEndpointSettings(Topic, GroupId);
        var configurator = new KafkaTopicReceiveEndpointConfiguration(busInstance, borrowed, settings, rider);
        var consumed = new ConsumedMessageTypes();
        configurator.ConnectConsumerConfigurationObserver(consumed);
        configurator.ConnectSagaConfigurationObserver(consumed);
        configurator.ConnectHandlerConfigurationObserver(consumed);

        configure(configurator);
        configurator.Validate().ThrowIfContainsFailure($"The Kafka topic endpoint {Topic} ({GroupId}) is invalid:");

        // MassTransit reports what consumers, sagas and handlers take while it connects them, which building does.
        var endpoint = configurator.Build(out context);
        if (consumed.Types.Count == 0)
        {
            throw new ConfigurationException(
                $"The Kafka topic endpoint {Topic} ({GroupId}) has nothing connected: configure a consumer, saga or handler of "
                + $"{TypeCache<T>.ShortName} on it (consumers of types without a namespace never connect).");
        }

        ValidateMessageTypes(configurator, consumed).ThrowIfContainsFailure($"The Kafka topic endpoint {Topic} ({GroupId}) is invalid:");
        return endpoint;
    }

    private IEnumerable<ValidationResult> ValidateMessageTypes(KafkaTopicReceiveEndpointConfiguration configurator, ConsumedMessageTypes consumed)
    {
        foreach (var type in consumed.WithoutNamespace(typeof(T)))
        {
            yield return configurator.Failure("MessageType",
                $"{TypeCache.GetShortName(type)} has no namespace; MassTransit cannot route messages of a type in the global namespace, "
                + "so nothing would ever be consumed");
        }

        if (!consumed.Consumes(typeof(T)))
        {
            yield return configurator.Failure("MessageType",
                $"{TypeCache<T>.ShortName} is what topic {Topic} carries, but nothing on the endpoint consumes it "
                + $"(consumed: {string.Join(", ", consumed.Types.Select(TypeCache.GetShortName))})");
        }
    }
}
