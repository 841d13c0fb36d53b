using Logbus.Messaging.Kafka.Consuming;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Configuration;

internal interface IKafkaTopicEndpointSpecification
{
    string EndpointName { get; }

    string Topic { get; }

    string GroupId { get; }

    ReceiveEndpoint CreateReceiveEndpoint(IBusInstance busInstance, KafkaRider rider, out KafkaReceiveEndpointContext context);
}
