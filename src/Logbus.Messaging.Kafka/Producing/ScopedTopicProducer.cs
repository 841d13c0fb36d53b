using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// The <see cref="ITopicProducer{T}"/> resolved from a scope: it produces through the scope's outbox when there is one,
/// and straight to Kafka otherwise.
/// </summary>
/// <remarks>
/// Contract with the EF Core outbox: when the scope's MassTransit bus context is outbox-backed — the context itself or
/// its send endpoint provider implements <see cref="OutboxSendContext"/> (a bus outbox scope, or a consumer outbox's
/// consume context) — the message is handed to that outbox through MassTransit's <see cref="OutboxSendEndpoint"/>
/// wrapped around the topic's send endpoint, so it is written with the scope's transaction and produced by the outbox
/// delivery later. When the provider is MassTransit's <see cref="OutboxSendEndpointProvider"/> without exposing its
/// context, the message goes through that provider's <c>GetSendEndpoint(topic:&lt;name&gt;)</c>. Otherwise it is produced
/// directly. Either way the key selector's key is put in the <see cref="KafkaHeaders.Key"/> header first, so it survives
/// the outbox; inside a consumer the conversation headers are carried over.
/// </remarks>
internal sealed class ScopedTopicProducer<T>(TopicSendEndpoint endpoint, string topic, Func<T, string?>? keySelector, IServiceProvider scope)
    : ITopicProducer<T>
    where T : class
{
    public string Topic { get; } = topic;

    public Task Produce(T message, CancellationToken cancellationToken = default) =>
        Produce(message, Pipe.Empty<SendContext<T>>(), cancellationToken);

    public async Task Produce(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(pipe);

        var busContext = scope.GetService<IScopedBusContextProvider<IBus>>()?.Context;
        var sendEndpointProvider = busContext?.SendEndpointProvider;
        var producerPipe = new ProducerPipe(message, keySelector, sendEndpointProvider as ConsumeContext, pipe);

        var outbox = busContext as OutboxSendContext ?? sendEndpointProvider as OutboxSendContext;
        if (outbox is not null)
        {
            await new OutboxSendEndpoint(outbox, endpoint).Send(message, producerPipe, cancellationToken);
        }
        else if (sendEndpointProvider is OutboxSendEndpointProvider outboxProvider)
        {
            var outboxEndpoint = await outboxProvider.GetSendEndpoint(endpoint.DestinationAddress);
            await outboxEndpoint.Send(message, producerPipe, cancellationToken);
        }
        else
        {
            await endpoint.Send(message, producerPipe, cancellationToken);
        }
    }

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => endpoint.ConnectSendObserver(observer);

    private sealed class ProducerPipe(T message, Func<T, string?>? keySelector, ConsumeContext? consumeContext, IPipe<SendContext<T>> pipe)
        : IPipe<SendContext<T>>
    {
        public async Task Send(SendContext<T> context)
        {
            if (consumeContext is not null)
            {
                context.TransferConsumeContextHeaders(consumeContext);
            }

            if (pipe.IsNotEmpty())
            {
                await pipe.Send(context);
            }

            if (context.GetKafkaKey() is null && keySelector?.Invoke(message) is { } key)
            {
                context.SetKafkaKey(key);
            }
        }

        public void Probe(ProbeContext context) => pipe.Probe(context);
    }
}
