using Logbus.Messaging.Kafka.Producing;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>Builds the rider and its topic endpoints once the bus instance exists, and connects the rider to the bus.</summary>
internal sealed class KafkaBusInstanceSpecification(
    KafkaFactoryConfigurator configurator,
    IEnumerable<ITopicKeySelector> keySelectors,
    KafkaRiderAccessor accessor) : IBusInstanceSpecification
{
    public void Configure(IBusInstance busInstance)
    {
        ArgumentNullException.ThrowIfNull(busInstance);
        var endpoints = new ReceiveEndpointCollection();
        var rider = new KafkaRider(busInstance, configurator.Host, configurator.ProducerOptions, configurator.UnreachableTimeout,
            new TopicKeySelectors(keySelectors), endpoints);
        foreach (var specification in configurator.Endpoints)
        {
            var endpoint = specification.CreateReceiveEndpoint(busInstance, rider, out var endpointContext);
            endpoints.Add(specification.EndpointName, endpoint);
            rider.Register(endpointContext);
        }

        busInstance.Connect<IKafkaRider>(rider);
        accessor.Rider = rider;
    }

    public IEnumerable<ValidationResult> Validate() => configurator.Validate();
}
