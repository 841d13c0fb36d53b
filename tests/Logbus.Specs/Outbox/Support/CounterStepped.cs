namespace Logbus.Specs.Outbox.Support;

/// <summary>Counts one step on the counter saga <see cref="CounterState"/>.</summary>
public sealed record CounterStepped(Guid CounterId);
