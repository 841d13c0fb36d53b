namespace Logbus.Bench.Outbox;

/// <summary>What the consumer measured with and without the inbox handles.</summary>
public sealed record BenchWork(int Index, string Payload, bool Publish);
