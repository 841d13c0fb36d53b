using MassTransit;

namespace Logbus.Messaging.Kafka;

/// <summary>Produces messages of one type to one Kafka topic.</summary>
/// <remarks>
/// Registered per message type with <c>r.AddProducer&lt;T&gt;(topic, keySelector)</c> and resolved from a scope. The key
/// is the <see cref="KafkaHeaders.Key"/> header when the pipe sets one (see
/// <see cref="KafkaSendContextExtensions.SetKafkaKey"/>), otherwise the registered key selector's answer.
/// </remarks>
public interface ITopicProducer<T> : ISendObserverConnector
    where T : class
{
    /// <summary>The topic this producer writes to.</summary>
    string Topic { get; }

    Task Produce(T message, CancellationToken cancellationToken = default);

    Task Produce(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default);
}
