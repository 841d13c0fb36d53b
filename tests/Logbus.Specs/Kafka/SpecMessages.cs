namespace Logbus.Specs.Kafka;

/// <summary>A record with its place in a stream, so specs can check order and completeness.</summary>
public sealed record SequencedMessage(int Partition, long Sequence);

/// <summary>A message whose consumer fails on purpose, as many times as <see cref="FailTimes"/> says (-1: always).</summary>
public sealed record FlakyMessage(string Id, int FailTimes);

public sealed record SentFromConsumer(string Id);

/// <summary>A record made large on purpose, for specs about how many bytes a consumer takes ahead.</summary>
public sealed record PaddedMessage(int Number, string Padding);

public sealed record ProducedMessage(string Id, string Tenant);

public sealed record ProducedMessageSeen(string Id);
