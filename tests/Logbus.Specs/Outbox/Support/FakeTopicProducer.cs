using System.Collections.Concurrent;
using System.Text;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;

namespace Logbus.Specs.Outbox.Support;

/// <summary>
/// Stands in for the Kafka rider's keyed <c>"topic"</c> send endpoint provider (the contract: <c>topic:&lt;name&gt;</c>
/// addresses are sent through it). It runs the outbox's send pipe on a send context as a producer would, and records
/// what would have been produced; or, when <see cref="Blocked"/>, hangs like a producer whose broker never answers.
/// </summary>
public sealed class FakeTopicProducer : ISendEndpointProvider
{
    // A real producer's send context carries the endpoint's serialization, as MassTransit's own endpoints' do;
    // OutboxMessageSendPipe reads the stored body back through it.
    private static readonly ISerialization Serialization = new MassTransit.Serialization.Serialization(
        [SystemTextJsonMessageSerializer.Instance], SystemTextJsonMessageSerializer.JsonContentType,
        [SystemTextJsonMessageSerializer.Instance], SystemTextJsonMessageSerializer.JsonContentType);

    private readonly ConcurrentQueue<Produced> _produced = new();
    private readonly TaskCompletionSource _firstSendStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Blocked { get; init; }

    public IReadOnlyList<Produced> ProducedRecords => [.. _produced];

    public Task FirstSendStarted => _firstSendStarted.Task;

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => throw new NotSupportedException();

    public Task<ISendEndpoint> GetSendEndpoint(Uri address) => Task.FromResult<ISendEndpoint>(new Endpoint(this, address));

    /// <param name="SentAsBytes">Whether the body reached the transport as bytes, not as a string it would encode.</param>
    public sealed record Produced(Uri Topic, Guid? MessageId, string? Key, string Body, string? ContentType, string[] MessageTypes,
        Guid? ConversationId, bool SentAsBytes);

    private sealed class Endpoint(FakeTopicProducer producer, Uri address) : ISendEndpoint
    {
        /// <summary>The overload the outbox delivery uses: a serialized body and MassTransit's <c>OutboxMessageSendPipe</c>.</summary>
        public async Task Send<T>(T message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
            where T : class
        {
            producer._firstSendStarted.TrySetResult();
            if (producer.Blocked)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var context = new MessageSendContext<T>(message, cancellationToken) { DestinationAddress = address, Serialization = Serialization };
            await pipe.Send(context);
            var sent = context.Serializer.GetMessageBody(context);
            var body = Encoding.UTF8.GetString(sent.GetBytes());
            producer._produced.Enqueue(new Produced(address, context.MessageId, context.Headers.Get<string>("Kafka-Key"), body,
                context.Serializer.ContentType?.MediaType, context.SupportedMessageTypes, context.ConversationId, sent is BytesMessageBody));
        }

        public ConnectHandle ConnectSendObserver(ISendObserver observer) => throw new NotSupportedException();

        public Task Send<T>(T message, CancellationToken cancellationToken = default)
            where T : class => throw new NotSupportedException();

        public Task Send<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
            where T : class => throw new NotSupportedException();

        public Task Send(object message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task Send(object message, Type messageType, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task Send(object message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task Send(object message, Type messageType, IPipe<SendContext> pipe, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task Send<T>(object values, CancellationToken cancellationToken = default)
            where T : class => throw new NotSupportedException();

        public Task Send<T>(object values, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
            where T : class => throw new NotSupportedException();

        public Task Send<T>(object values, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
            where T : class => throw new NotSupportedException();
    }
}
