namespace Logbus.Specs.Outbox.Support;

/// <summary>A message a web-style request publishes through the bus outbox.</summary>
public sealed record RequestAccepted(Guid RequestId, int Index);
