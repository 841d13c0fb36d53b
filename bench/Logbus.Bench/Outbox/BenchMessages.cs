namespace Logbus.Bench.Outbox;

/// <summary>What requests publish and the delivery is measured with.</summary>
public sealed record BenchEvent(int Index, string Payload);

/// <summary>What the consumer measured with and without the inbox handles.</summary>
public sealed record BenchWork(int Index, string Payload, bool Publish);
