using Confluent.Kafka;
using Logbus.Messaging.Kafka.Producing;
using MassTransit;
using MassTransit.Configuration;

namespace Logbus.Messaging.Kafka.Configuration;

internal sealed class KafkaFactoryConfigurator(ClientConfig? baseConfig) : IKafkaFactoryConfigurator
{
    private readonly List<IKafkaTopicEndpointSpecification> _endpoints = [];

    public KafkaHostSettings Host { get; } = new(baseConfig);

    public KafkaProducerOptions ProducerOptions { get; } = new();

    public TimeSpan UnreachableTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<IKafkaTopicEndpointSpecification> Endpoints => _endpoints;

    void IKafkaFactoryConfigurator.Host(string bootstrapServers, Action<IKafkaHostConfigurator>? configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        Host.BootstrapServers = bootstrapServers;
        configure?.Invoke(Host);
    }

    public void TopicEndpoint<T>(string topic, string groupId, Action<IKafkaTopicReceiveEndpointConfigurator> configure)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configure);
        _endpoints.Add(new KafkaTopicEndpointSpecification<T>(topic, groupId, configure));
    }

    public void ConfigureProducers(Action<KafkaProducerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(ProducerOptions);
    }

    public IEnumerable<ValidationResult> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host.BootstrapServers) && string.IsNullOrWhiteSpace(Host.BaseConfig.BootstrapServers))
        {
            yield return new KafkaValidation().Failure("Host", "the bootstrap servers are not set: call k.Host(\"host:port\")");
        }

        foreach (var duplicate in _endpoints.GroupBy(e => e.EndpointName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new KafkaValidation().Failure("TopicEndpoint", duplicate.Key, "is configured more than once");
        }

        foreach (var endpoint in _endpoints)
        {
            if (string.IsNullOrWhiteSpace(endpoint.Topic) || string.IsNullOrWhiteSpace(endpoint.GroupId))
            {
                yield return new KafkaValidation().Failure("TopicEndpoint", endpoint.EndpointName, "needs a topic and a consumer group");
            }
        }

        if (UnreachableTimeout <= TimeSpan.Zero)
        {
            yield return new KafkaValidation().Failure("UnreachableTimeout", "must be positive");
        }
    }

    public KafkaBusInstanceSpecification Build(IEnumerable<ITopicKeySelector> keySelectors, KafkaRiderAccessor accessor) =>
        new(this, keySelectors, accessor);

    /// <summary>The specification the failures are reported against.</summary>
    private sealed class KafkaValidation : ISpecification
    {
        public IEnumerable<ValidationResult> Validate() => [];
    }
}
