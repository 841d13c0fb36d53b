namespace Logbus.Specs.Outbox.Support;

/// <summary>A message with a body as large as its padding, as an Api chunk of many events is.</summary>
public sealed record PaddedRequestAccepted(Guid RequestId, int Index, string Padding);
