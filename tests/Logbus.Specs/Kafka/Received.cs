using System.Collections.Concurrent;
using Logbus.Messaging.Kafka;
using MassTransit;

namespace Logbus.Specs.Kafka;

/// <summary>One message as a spec's consumer saw it.</summary>
public sealed record ReceivedMessage<T>(T Message, Guid? MessageId, Guid? ConversationId, Guid? CorrelationId, KafkaRecord Record,
    string? ContentType);

/// <summary>Everything a spec's recording consumer received, in arrival order.</summary>
public sealed class Received<T>
    where T : class
{
    private readonly ConcurrentQueue<ReceivedMessage<T>> _items = new();

    public int Count => _items.Count;

    public IReadOnlyList<ReceivedMessage<T>> Items => [.. _items];

    public void Add(ConsumeContext<T> context) =>
        _items.Enqueue(new ReceivedMessage<T>(context.Message, context.MessageId, context.ConversationId, context.CorrelationId,
            context.GetKafkaRecord()!,
            context.ReceiveContext.ContentType?.MediaType));
}

/// <summary>Records every message it consumes.</summary>
public sealed class RecordingConsumer<T>(Received<T> received) : IConsumer<T>
    where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        received.Add(context);
        return Task.CompletedTask;
    }
}
