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
        var borrowed = busInstance.HostConfiguration.CreateReceiveEndpointConfiguration(EndpointName);
        var settings = new KafkaTopicEndpointSettings(Topic, GroupId);
        var configurator = new KafkaTopicReceiveEndpointConfiguration(busInstance, borrowed, settings, rider);
        var consumed = new ConsumedMessageTypes();
        configurator.ConnectConsumerConfigurationObserver(consumed);
        configurator.ConnectSagaConfigurationObserver(consumed);
        configurator.ConnectHandlerConfigurationObserver(consumed);

        configure(configurator);

        var failures = configurator.Validate().Concat(ValidateMessageTypes(configurator, consumed)).ToList();
        failures.ThrowIfContainsFailure($"The Kafka topic endpoint {Topic} ({GroupId}) is invalid:");

        var endpoint = configurator.Build(out context);
        if (!context.ReceivePipe.Connected.IsCompleted)
        {
            throw new ConfigurationException(
                $"The Kafka topic endpoint {Topic} ({GroupId}) has nothing connected: configure a consumer, saga or handler of {TypeCache<T>.ShortName} on it.");
        }

        return endpoint;
    }

    private IEnumerable<ValidationResult> ValidateMessageTypes(KafkaTopicReceiveEndpointConfiguration configurator, ConsumedMessageTypes consumed)
    {
        foreach (var type in consumed.WithoutNamespace(typeof(T)))
        {
            yield return configurator.Failure("MessageType", TypeCache.GetShortName(type),
                "has no namespace; MassTransit cannot route messages of a type in the global namespace, so nothing would ever be consumed");
        }

        if (consumed.Types.Count > 0 && !consumed.Consumes(typeof(T)))
        {
            yield return configurator.Failure("MessageType", TypeCache<T>.ShortName,
                $"is what topic {Topic} carries, but nothing on the endpoint consumes it (consumed: {string.Join(", ", consumed.Types.Select(TypeCache.GetShortName))})");
        }
    }
}
