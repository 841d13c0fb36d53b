namespace Logbus.Contracts;

/// <summary>
/// The Worker stored a chunk of an import: how many of its events were new, how many were already stored, and how many
/// it skipped because the import was cancelled. Sent to the <c>log-imports</c> topic through the consumer outbox, in the
/// same transaction as the rows, keyed by the import id, for the import saga.
/// </summary>
/// <param name="ChunkNumber">The chunk's position within its import (0-based): the saga counts each number once.</param>
public sealed record LogEventsStored(
    Guid ChunkId,
    Guid ImportId,
    int ChunkNumber,
    int Stored,
    int Duplicates,
    DateTimeOffset StoredAt,
    int Skipped = 0);
