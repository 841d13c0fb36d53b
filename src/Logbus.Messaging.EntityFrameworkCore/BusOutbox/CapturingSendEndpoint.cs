using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using MassTransit.Transports;
using MassTransit.Util;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// A send endpoint for an address the bus cannot resolve (such as <c>topic:log-events</c>), good only for being
/// captured by the outbox: it builds the send context the outbox stores, and refuses to send anything itself. The body
/// is raw JSON, as the Kafka rider writes when it produces directly, or MassTransit's envelope when
/// <paramref name="envelopes"/> is set.
/// </summary>
internal sealed class CapturingSendEndpoint(Uri destinationAddress, Uri? sourceAddress, bool envelopes) : ITransportSendEndpoint
{
    private static readonly IMessageSerializer RawJson = new SystemTextJsonRawMessageSerializer(RawSerializerOptions.CopyHeaders);
    private static readonly ISerialization RawJsonSerialization = SerializationOf(RawJson);
    private static readonly ISerialization EnvelopeSerialization = SerializationOf(SystemTextJsonMessageSerializer.Instance);

    public async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(pipe);
        var context = new MessageSendContext<T>(message, cancellationToken)
        {
            Serializer = envelopes ? SystemTextJsonMessageSerializer.Instance : RawJson,
            Serialization = envelopes ? EnvelopeSerialization : RawJsonSerialization,
            DestinationAddress = destinationAddress,
            SourceAddress = sourceAddress,
        };
        await pipe.Send(context);
        context.ConversationId ??= NewId.NextGuid();
        return context;
    }

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => new EmptyConnectHandle();

    public Task Send<T>(T message, CancellationToken cancellationToken = default)
        where T : class => throw NotThroughTheOutbox();

    public Task Send<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
        where T : class => throw NotThroughTheOutbox();

    public Task Send<T>(T message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
        where T : class => throw NotThroughTheOutbox();

    public Task Send(object message, CancellationToken cancellationToken = default) => throw NotThroughTheOutbox();

    public Task Send(object message, Type messageType, CancellationToken cancellationToken = default) => throw NotThroughTheOutbox();

    public Task Send(object message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default) => throw NotThroughTheOutbox();

    public Task Send(object message, Type messageType, IPipe<SendContext> pipe, CancellationToken cancellationToken = default) =>
        throw NotThroughTheOutbox();

    public Task Send<T>(object values, CancellationToken cancellationToken = default)
        where T : class => throw NotThroughTheOutbox();

    public Task Send<T>(object values, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
        where T : class => throw NotThroughTheOutbox();

    public Task Send<T>(object values, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
        where T : class => throw NotThroughTheOutbox();

    private static Serialization SerializationOf(IMessageSerializer serializer) =>
        new([serializer], serializer.ContentType, [(IMessageDeserializer)serializer], serializer.ContentType);

    private NotSupportedException NotThroughTheOutbox() =>
        new($"{destinationAddress} can only be sent to through the outbox here; its delivery service sends it.");
}
