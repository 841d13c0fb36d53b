#pragma warning disable CA1050 // deliberately in the global namespace: the rider must refuse it at start-up
/// <summary>A message type MassTransit cannot route, because it has no namespace.</summary>
public sealed record GlobalNamespaceMessage(string Id);
#pragma warning restore CA1050
