using Confluent.Kafka;
using MassTransit.Middleware;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>The pipe context of a send: the rider's shared, idempotent Confluent producer.</summary>
internal sealed class KafkaProducerContext(IProducer<byte[], byte[]> producer, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken)
{
    public IProducer<byte[], byte[]> Producer { get; } = producer;
}
