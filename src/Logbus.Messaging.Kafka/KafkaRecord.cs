namespace Logbus.Messaging.Kafka;

/// <summary>Where a consumed message came from: its Kafka record's coordinates, key and timestamp.</summary>
/// <remarks>
/// Available on every receive context of a topic endpoint; read it with <see cref="KafkaConsumeContextExtensions.GetKafkaRecord"/>.
/// </remarks>
public sealed record KafkaRecord(string Topic, int Partition, long Offset, string? Key, DateTime Timestamp, string GroupId);
