using Logbus.Contracts;
using Logbus.Messaging.EntityFrameworkCore.Model;

namespace Logbus.Worker.Storing;

/// <summary>
/// What a merged transaction needs of a record that is a chunk of an import: the chunk's identity for its progress message
/// to the import saga, and the record's own consume context's ways to write that message into the consumer outbox and,
/// once committed, to send it. The progress goes exactly as <see cref="LogEventsAcceptedConsumer"/> sends it.
/// </summary>
/// <param name="Capture">The outbox row of sending the given progress from the record's consume context.</param>
/// <param name="Deliver">Sends a committed outbox row of this record as the inbox's delivery would.</param>
public sealed record MergedImportChunk(
    Guid ImportId,
    Guid ChunkId,
    int ChunkNumber,
    int Events,
    Func<LogEventsStored, Task<OutboxMessage>> Capture,
    Func<OutboxMessage, Task> Deliver);
