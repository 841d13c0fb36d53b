namespace Logbus.Contracts;

/// <summary>
/// The Worker stored a chunk: how many of its events were new and how many were already stored. Sent to the
/// <c>log-imports</c> topic through the consumer outbox, in the same transaction as the rows, for the import saga.
/// </summary>
public sealed record LogEventsStored(
    Guid ChunkId,
    Guid? ImportId,
    int? ChunkNumber,
    int Stored,
    int Duplicates,
    DateTimeOffset StoredAt);
