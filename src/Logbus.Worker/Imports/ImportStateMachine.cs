using System.Text.Json;
using Logbus.Contracts;
using Logbus.Storage.Imports;
using MassTransit;

namespace Logbus.Worker.Imports;

/// <summary>
/// Tracks a bulk import from its upload to its last stored chunk. Messages may arrive in any order and more than once
/// (chunks are stored in parallel, on other partitions than the upload's own messages): every event updates the
/// counts, then <see cref="Decide"/> picks the state from what is known, so the outcome never depends on arrival order.
/// An import is complete only when every chunk of the file, whose number is known once the upload ends, was reported.
/// </summary>
public sealed class ImportStateMachine : MassTransitStateMachine<ImportState>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ImportStateMachine(TimeProvider time)
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, e => e.CorrelateById(m => m.Message.ImportId));
        Event(() => Received, e => e.CorrelateById(m => m.Message.ImportId));
        Event(() => UploadFailed, e => e.CorrelateById(m => m.Message.ImportId));
        Event(() => ChunkStored, e => e.CorrelateById(m => m.Message.ImportId ?? Guid.Empty));
        Event(() => Stalled, e =>
        {
            e.CorrelateById(m => m.Message.ImportId);
            // The watchdog only reports imports it found in the database.
            e.OnMissingInstance(m => m.Discard());
        });

        Initially(
            When(Started).ThenAsync(c => Apply(c, c.Message, time)),
            When(Received).ThenAsync(c => Apply(c, c.Message, time)),
            When(UploadFailed).ThenAsync(c => Apply(c, c.Message, time)),
            When(ChunkStored).ThenAsync(c => Apply(c, c.Message, time)));

        DuringAny(
            When(Started).ThenAsync(c => Apply(c, c.Message, time)),
            When(Received).ThenAsync(c => Apply(c, c.Message, time)),
            When(UploadFailed).ThenAsync(c => Apply(c, c.Message, time)),
            When(ChunkStored).ThenAsync(c => Apply(c, c.Message, time)),
            When(Stalled).ThenAsync(c => Apply(c, c.Message, time)));
    }

    public State? Receiving { get; private set; }

    public State? Persisting { get; private set; }

    public State? Completed { get; private set; }

    public State? CompletedWithErrors { get; private set; }

    public State? Failed { get; private set; }

    public State? Cancelled { get; private set; }

    public Event<ImportStarted>? Started { get; private set; }

    public Event<ImportReceived>? Received { get; private set; }

    public Event<ImportUploadFailed>? UploadFailed { get; private set; }

    public Event<LogEventsStored>? ChunkStored { get; private set; }

    public Event<ImportStalled>? Stalled { get; private set; }

    private Task Apply(BehaviorContext<ImportState> context, ImportStarted message, TimeProvider time)
    {
        var import = context.Saga;
        import.FileName = message.FileName;
        import.Format = message.Format;
        import.StartedAt = message.StartedAt;
        return Settle(context, time);
    }

    private Task Apply(BehaviorContext<ImportState> context, ImportReceived message, TimeProvider time)
    {
        var import = context.Saga;
        if (import.ChunksExpected is null)
        {
            SetUpload(import, message.LinesRead, message.Accepted, message.Rejected, message.Chunks, message.Errors);
            import.ReceivedAt = message.ReceivedAt;
            if (message.CancelledWhileReceiving)
            {
                import.CancelRequestedAt ??= message.ReceivedAt;
            }
        }

        return Settle(context, time);
    }

    private Task Apply(BehaviorContext<ImportState> context, ImportUploadFailed message, TimeProvider time)
    {
        var import = context.Saga;
        if (import.ChunksExpected is null)
        {
            SetUpload(import, message.LinesRead, message.Accepted, message.Rejected, message.Chunks, message.Errors);
            import.ReceivedAt = message.FailedAt;
            import.UploadFailed = true;
            import.FailureReason = message.Reason;
        }

        return Settle(context, time);
    }

    private Task Apply(BehaviorContext<ImportState> context, LogEventsStored message, TimeProvider time)
    {
        var import = context.Saga;
        if (message.ChunkNumber is { } number && MarkSeen(import, number))
        {
            import.ChunksStored++;
            import.Stored += message.Stored;
            import.Duplicates += message.Duplicates;
            import.Skipped += message.Skipped;
        }

        return Settle(context, time);
    }

    private Task Apply(BehaviorContext<ImportState> context, ImportStalled message, TimeProvider time)
    {
        var import = context.Saga;
        if (ImportStates.IsActive(import.CurrentState) && import.CancelRequestedAt is null)
        {
            import.FailureReason = import.ChunksExpected is { } expected
                ? $"{expected - import.ChunksStored} of {expected} chunks were not stored within the timeout (missing: {Missing(import, expected)}); "
                  + "they may still arrive, which completes the import"
                : $"the upload stopped after {import.ChunksStored} stored chunks and never finished; upload the file again with the same Idempotency-Key";
        }

        return Settle(context, time, progress: false);
    }

    /// <summary>The state everything known so far amounts to.</summary>
    private async Task Settle(BehaviorContext<ImportState> context, TimeProvider time, bool progress = true)
    {
        var import = context.Saga;
        var now = time.GetUtcNow();
        if (progress)
        {
            import.LastProgressAt = now;
        }

        if (import.StartedAt == default)
        {
            import.StartedAt = now;
        }

        var state = Decide(import);
        if (state != Receiving && state != Persisting)
        {
            import.FinishedAt ??= now;
        }

        await context.TransitionToState(state!);
    }

    private State? Decide(ImportState import)
    {
        if (import.CancelRequestedAt is not null)
        {
            return Cancelled;
        }

        if (import.UploadFailed)
        {
            return Failed;
        }

        if (import.ChunksExpected is { } expected && import.ChunksStored >= expected)
        {
            // A late chunk can complete an import the watchdog had given up on.
            import.FailureReason = null;
            return import.Rejected > 0 ? CompletedWithErrors : Completed;
        }

        if (import.FailureReason is not null)
        {
            return Failed;
        }

        return import.ChunksExpected is null ? Receiving : Persisting;
    }

    private static void SetUpload(ImportState import, long lines, long accepted, long rejected, int chunks, IReadOnlyList<ImportLineError> errors)
    {
        import.LinesRead = lines;
        import.Accepted = accepted;
        import.Rejected = rejected;
        import.ChunksExpected = chunks;
        import.Errors = errors.Count == 0 ? null : JsonSerializer.Serialize(errors, Json);
    }

    /// <summary>Sets the chunk's bit; false when it was already set.</summary>
    private static bool MarkSeen(ImportState import, int chunk)
    {
        var index = chunk / 8;
        var bit = (byte)(1 << (chunk % 8));
        if (index < import.ChunksSeen.Length && (import.ChunksSeen[index] & bit) != 0)
        {
            return false;
        }

        // A new array rather than an edit in place, so the change tracker sees the column change.
        var seen = new byte[Math.Max(index + 1, import.ChunksSeen.Length)];
        import.ChunksSeen.CopyTo(seen, 0);
        seen[index] |= bit;
        import.ChunksSeen = seen;
        return true;
    }

    private static string Missing(ImportState import, int expected)
    {
        var missing = Enumerable.Range(0, expected)
            .Where(c => c / 8 >= import.ChunksSeen.Length || (import.ChunksSeen[c / 8] & (1 << (c % 8))) == 0)
            .ToList();
        return string.Join(", ", missing.Take(20)) + (missing.Count > 20 ? $" and {missing.Count - 20} more" : "");
    }
}
