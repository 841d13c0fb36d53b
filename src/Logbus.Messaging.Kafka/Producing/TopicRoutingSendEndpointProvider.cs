using MassTransit;
using MassTransit.Util;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// The send endpoint provider of a topic endpoint's consume contexts: topic addresses go to the rider, every other
/// address to the bus. This is what lets a consumer (and the consumer outbox re-sending what a consumer sent) call
/// <c>context.Send(new Uri("topic:x"), …)</c>.
/// </summary>
internal sealed class TopicRoutingSendEndpointProvider(ISendEndpointProvider topics, ISendEndpointProvider bus) : ISendEndpointProvider
{
    public Task<ISendEndpoint> GetSendEndpoint(Uri address) =>
        TopicAddress.IsTopicAddress(address) ? topics.GetSendEndpoint(address) : bus.GetSendEndpoint(address);

    public ConnectHandle ConnectSendObserver(ISendObserver observer) =>
        new MultipleConnectHandle(topics.ConnectSendObserver(observer), bus.ConnectSendObserver(observer));
}
