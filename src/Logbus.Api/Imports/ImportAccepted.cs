namespace Logbus.Api.Imports;

/// <summary>The answer to an upload. Counts are absent when the upload was a repeat of an earlier one (same Idempotency-Key).</summary>
public sealed record ImportAccepted(Guid ImportId, string StatusUrl, long? LinesRead, long? Accepted, long? Rejected, string? State);
