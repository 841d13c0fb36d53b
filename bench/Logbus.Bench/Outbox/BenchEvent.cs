namespace Logbus.Bench.Outbox;

/// <summary>What requests publish and the delivery is measured with.</summary>
public sealed record BenchEvent(int Index, string Payload);
