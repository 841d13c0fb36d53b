using MassTransit.Middleware;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The transport context of a topic endpoint while it runs. Confluent consumers live in the consume agents, one per
/// group member, so this context carries nothing but the lifetime MassTransit's transport supervisor manages.
/// </summary>
internal sealed class KafkaConsumerContext(CancellationToken cancellationToken) : BasePipeContext(cancellationToken);
