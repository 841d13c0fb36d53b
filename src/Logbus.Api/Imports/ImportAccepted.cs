namespace Logbus.Api.Imports;

/// <summary>The answer to an upload; a repeat of an upload received whole (same Idempotency-Key) is answered with that one's counts.</summary>
public sealed record ImportAccepted(Guid ImportId, string StatusUrl, long? LinesRead, long? Accepted, long? Rejected, string? State);
