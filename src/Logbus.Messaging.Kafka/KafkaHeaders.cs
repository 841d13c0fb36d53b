namespace Logbus.Messaging.Kafka;

/// <summary>Names of the Kafka record headers and MassTransit transport headers the rider reads and writes.</summary>
/// <remarks>
/// MassTransit's own headers (<c>MessageId</c>, <c>CorrelationId</c>, <c>ConversationId</c>, <c>MT-MessageType</c>,
/// <c>Content-Type</c>, …) keep their MassTransit names in Kafka headers, as UTF-8 strings.
/// </remarks>
public static class KafkaHeaders
{
    /// <summary>
    /// Transport header that carries the Kafka message key (a UTF-8 string) on a <see cref="MassTransit.SendContext"/>.
    /// When present it wins over any key selector; it is not copied into the record's headers.
    /// </summary>
    public const string Key = "Kafka-Key";

    /// <summary>W3C trace context, written on every produced record and read on every consumed one.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state, written when the current activity has one.</summary>
    public const string TraceState = "tracestate";

    /// <summary>On a dead-lettered record: the topic the record was consumed from.</summary>
    public const string OriginalTopic = "Kafka-Original-Topic";

    /// <summary>On a dead-lettered record: the partition the record was consumed from.</summary>
    public const string OriginalPartition = "Kafka-Original-Partition";

    /// <summary>On a dead-lettered record: the offset of the record in its original partition.</summary>
    public const string OriginalOffset = "Kafka-Original-Offset";

    /// <summary>On a dead-lettered record: the consumer group that gave up on it.</summary>
    public const string OriginalGroup = "Kafka-Original-Group";

    /// <summary>On a dead-lettered record: how many times the receive pipe ran the record before it was given up.</summary>
    public const string FaultAttempts = "MT-Fault-Attempts";
}
