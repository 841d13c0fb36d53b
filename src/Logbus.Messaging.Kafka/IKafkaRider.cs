using MassTransit;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka;

/// <summary>The Kafka rider of a bus: its topic endpoints, its producers and its view of the broker.</summary>
public interface IKafkaRider : IRider, ISendObserverConnector
{
    /// <summary>
    /// Send endpoints for topic addresses (<c>topic:&lt;name&gt;</c>). The same provider is registered in DI as a keyed
    /// singleton <see cref="ISendEndpointProvider"/> with the service key <see cref="TopicAddress.Scheme"/>.
    /// </summary>
    ISendEndpointProvider TopicSendEndpointProvider { get; }

    /// <summary>Whether the brokers are reachable, as the rider's clients experience it.</summary>
    KafkaConnectivity Connectivity { get; }

    /// <summary>A producer for one message type and topic that sends directly, outside any outbox.</summary>
    ITopicProducer<T> GetProducer<T>(string topic)
        where T : class;
}
