namespace Logbus.Specs.Outbox.Support;

/// <summary>Recorded by <see cref="ErrorRecorder"/>.</summary>
public sealed record FailedForGood(Guid ItemId);
