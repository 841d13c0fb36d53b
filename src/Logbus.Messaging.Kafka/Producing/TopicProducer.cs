using MassTransit;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>Produces straight to the topic through its send endpoint, outside any outbox.</summary>
internal sealed class TopicProducer<T>(TopicSendEndpoint endpoint, string topic) : ITopicProducer<T>
    where T : class
{
    public string Topic { get; } = topic;

    public Task Produce(T message, CancellationToken cancellationToken = default) => endpoint.Send(message, cancellationToken);

    public Task Produce(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default) =>
        endpoint.Send(message, pipe, cancellationToken);

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => endpoint.ConnectSendObserver(observer);
}
