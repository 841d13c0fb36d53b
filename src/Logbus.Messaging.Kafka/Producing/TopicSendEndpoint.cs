using MassTransit;
using MassTransit.Context;
using MassTransit.Initializers;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// A MassTransit send endpoint whose destination is a Kafka topic (<c>topic:&lt;name&gt;</c>).
/// </summary>
/// <remarks>
/// Before the caller's pipe runs, the send context gets the rider's default serializer (raw JSON), the destination and
/// source addresses and the bus's send pipe; the caller's pipe may then replace any of it — an outbox re-sending a
/// stored message replaces the serializer, ids and headers, and the record carries exactly that. It is an
/// <see cref="ITransportSendEndpoint"/>, so MassTransit's outbox can wrap it and store sends instead of producing them.
/// </remarks>
internal sealed class TopicSendEndpoint(ISendTransport transport, Uri destinationAddress, Uri sourceAddress, ISerialization serialization,
    ISendPipe sendPipe)
    : ITransportSendEndpoint
{
    private readonly IMessageSerializer _serializer = serialization.GetMessageSerializer();
    private readonly ISerialization _serialization = serialization;
    private readonly Uri _sourceAddress = sourceAddress;
    private readonly ISendPipe _sendPipe = sendPipe;

    public Uri DestinationAddress { get; } = destinationAddress;

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => transport.ConnectSendObserver(observer);

    public Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class =>
        transport.CreateSendContext(message, new EndpointPipe<T>(this, pipe), cancellationToken);

    public Task Send<T>(T message, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        return transport.Send(message, new EndpointPipe<T>(this, null), cancellationToken);
    }

    public Task Send<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(pipe);
        return transport.Send(message, new EndpointPipe<T>(this, pipe), cancellationToken);
    }

    public Task Send<T>(T message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(pipe);
        return transport.Send(message, new EndpointPipe<T>(this, pipe), cancellationToken);
    }

    public Task Send(object message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendEndpointConverterCache.Send(this, message, message.GetType(), cancellationToken);
    }

    public Task Send(object message, Type messageType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(messageType);
        return SendEndpointConverterCache.Send(this, message, messageType, cancellationToken);
    }

    public Task Send(object message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(pipe);
        return SendEndpointConverterCache.Send(this, message, message.GetType(), pipe, cancellationToken);
    }

    public Task Send(object message, Type messageType, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(messageType);
        ArgumentNullException.ThrowIfNull(pipe);
        return SendEndpointConverterCache.Send(this, message, messageType, pipe, cancellationToken);
    }

    public Task Send<T>(object values, CancellationToken cancellationToken = default)
        where T : class =>
        SendValuesAsync(values, new EndpointPipe<T>(this, null), cancellationToken);

    public Task Send<T>(object values, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
        where T : class =>
        SendValuesAsync(values, new EndpointPipe<T>(this, pipe), cancellationToken);

    public Task Send<T>(object values, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
        where T : class =>
        SendValuesAsync(values, new EndpointPipe<T>(this, pipe), cancellationToken);

    private async Task SendValuesAsync<T>(object values, EndpointPipe<T> pipe, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(values);
        var (message, sendPipe) = await MessageInitializerCache<T>.InitializeMessage(values, pipe, cancellationToken);
        await transport.Send(message, sendPipe, cancellationToken);
    }

    /// <summary>Prepares the send context in the order MassTransit's own endpoints do: endpoint defaults, then the caller.</summary>
    private sealed class EndpointPipe<T>(TopicSendEndpoint endpoint, IPipe<SendContext<T>>? pipe) : IPipe<SendContext<T>>
        where T : class
    {
        public async Task Send(SendContext<T> context)
        {
            context.Serializer = endpoint._serializer;
            context.Serialization = endpoint._serialization;
            context.DestinationAddress = endpoint.DestinationAddress;
            context.SourceAddress ??= endpoint._sourceAddress;

            if (pipe is ISendContextPipe contextPipe)
            {
                await contextPipe.Send(context);
            }

            await endpoint._sendPipe.Send(context);

            if (pipe is not null && pipe.IsNotEmpty())
            {
                await pipe.Send(context);
            }

            context.ConversationId ??= NewId.NextGuid();
        }

        public void Probe(ProbeContext context) => pipe?.Probe(context);
    }
}
