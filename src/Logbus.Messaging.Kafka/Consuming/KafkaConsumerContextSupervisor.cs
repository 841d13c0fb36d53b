using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// MassTransit's transport supervisor for a topic endpoint: the consume agents are its children, so stopping the
/// endpoint (bus stop, kill switch) stops them, and the endpoint's <c>Recycle</c> creates a fresh one for a restart.
/// </summary>
internal sealed class KafkaConsumerContextSupervisor() : TransportPipeContextSupervisor<KafkaConsumerContext>(new KafkaConsumerContextFactory());
