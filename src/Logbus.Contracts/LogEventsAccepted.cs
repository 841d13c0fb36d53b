namespace Logbus.Contracts;

/// <summary>
/// A chunk of events the Api accepted, produced to Kafka or committed to its outbox: at most 1,000 events or about
/// 512 KB. On the <c>log-events</c> topic; the Worker stores each event exactly once.
/// </summary>
/// <param name="ChunkId">Unique per chunk; the Worker's progress reports name it.</param>
/// <param name="ImportId">The bulk import the chunk belongs to, if any.</param>
/// <param name="ChunkNumber">Position of the chunk within its import (0-based), when <paramref name="ImportId"/> is set.</param>
public sealed record LogEventsAccepted(
    Guid ChunkId,
    Guid? ImportId,
    int? ChunkNumber,
    IReadOnlyList<AcceptedLogEvent> Events);
