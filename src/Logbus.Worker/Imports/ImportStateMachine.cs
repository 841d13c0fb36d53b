using Logbus.Contracts;
using Logbus.Storage.Imports;
using MassTransit;

namespace Logbus.Worker.Imports;

/// <summary>
/// Tracks a bulk import from its upload to its last stored chunk: Receiving (the file is being read) → Persisting (its
/// chunk count is known) → Completed or CompletedWithErrors once every chunk was stored; Failed, or Cancelled. Messages
/// arrive in any order and more than once (chunks are stored in parallel, on other partitions than the upload's own
/// messages), so every state accepts every message: <see cref="ImportFacts"/> records what it says, idempotently, and
/// the transitions below ask only what is known by then, never which message came first.
/// </summary>
/// <remarks>
/// No state is final: a late chunk still adds to the counts of a finished import, and completes one the watchdog
/// failed. A cancel is not a message but a flag the Api writes to the row; an active import notices it on any message.
/// </remarks>
public sealed class ImportStateMachine : MassTransitStateMachine<ImportState>
{
    private readonly TimeProvider _time;

    public ImportStateMachine(TimeProvider time)
    {
        _time = time;
        InstanceState(x => x.CurrentState);
        Event(() => Started, e => e.CorrelateById(m => m.Message.ImportId));
        Event(() => Received, e => e.CorrelateById(m => m.Message.ImportId));
        Event(() => UploadFailed, e => e.CorrelateById(m => m.Message.ImportId));
        Event(() => ChunkStored, e => e.CorrelateById(m => m.Message.ImportId));
        Event(() => Stalled, e =>
        {
            e.CorrelateById(m => m.Message.ImportId);
            // The watchdog only reports imports it found in the database.
            e.OnMissingInstance(m => m.Discard());
        });

        // Whichever message comes first creates the import: a stored chunk can overtake the upload's start.
        Initially(
            When(Started).Then(Record).TransitionTo(Receiving),
            When(ChunkStored).Then(Record).TransitionTo(Receiving),
            When(Received).Then(Record).IfElse(CancelRequested, Cancel, EndOfFile),
            When(UploadFailed).Then(Record).Then(Finished).TransitionTo(Failed));

        During(Receiving,
            When(Started).Then(Record).If(CancelRequested, Cancel),
            When(ChunkStored).Then(Record).If(CancelRequested, Cancel),
            When(Received).Then(Record).IfElse(CancelRequested, Cancel, EndOfFile),
            When(UploadFailed).Then(Record).IfElse(CancelRequested, Cancel, Fail),
            When(Stalled).IfElse(CancelRequested, Cancel, Stall));

        // The end of the upload is known: a second report of it, or a late report that it broke off, changes nothing.
        During(Persisting,
            When(Started).Then(Record).If(CancelRequested, Cancel),
            When(ChunkStored).Then(Record).IfElse(CancelRequested, Cancel, stored => stored.If(EveryChunkStored, Complete)),
            When(Received).Then(Record).If(CancelRequested, Cancel),
            When(UploadFailed).Then(Record).If(CancelRequested, Cancel),
            When(Stalled).IfElse(CancelRequested, Cancel, Stall));

        // Failed by the watchdog, the import may still finish: the missing chunks, or the end of a file whose upload
        // seemed to have stopped, can still arrive (that end may say a cancel stopped the upload). A broken-off upload
        // stays Failed: EveryChunkStored is never true for it.
        During(Failed,
            When(Started).Then(Record),
            When(ChunkStored).Then(Record).If(EveryChunkStored, Complete),
            When(Received).Then(Record).IfElse(CancelRequested, Cancel, received => received.If(EveryChunkStored, Complete)),
            When(UploadFailed).Then(Record),
            Ignore(Stalled));

        // The outcome stands; late and repeated messages still add what they report (a skipped chunk of a cancelled import).
        During(Completed, CompletedWithErrors, Cancelled,
            When(Started).Then(Record),
            When(ChunkStored).Then(Record),
            When(Received).Then(Record),
            When(UploadFailed).Then(Record),
            Ignore(Stalled));
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

    private static bool CancelRequested(BehaviorContext<ImportState> context) => ImportFacts.CancelRequested(context.Saga);

    private static bool EveryChunkStored(BehaviorContext<ImportState> context) => ImportFacts.EveryChunkStored(context.Saga);

    private void Record(BehaviorContext<ImportState, ImportStarted> context) =>
        ImportFacts.Record(context.Saga, context.Message, _time.GetUtcNow());

    private void Record(BehaviorContext<ImportState, ImportReceived> context) =>
        ImportFacts.Record(context.Saga, context.Message, _time.GetUtcNow());

    private void Record(BehaviorContext<ImportState, ImportUploadFailed> context) =>
        ImportFacts.Record(context.Saga, context.Message, _time.GetUtcNow());

    private void Record(BehaviorContext<ImportState, LogEventsStored> context) =>
        ImportFacts.Record(context.Saga, context.Message, _time.GetUtcNow());

    /// <summary>The upload's end is known: complete if every chunk is already stored (or there were none), else wait for them.</summary>
    private EventActivityBinder<ImportState, T> EndOfFile<T>(EventActivityBinder<ImportState, T> binder)
        where T : class =>
        binder.IfElse(EveryChunkStored, Complete, waiting => waiting.TransitionTo(Persisting));

    /// <summary>Every chunk of the file is stored: a reason the watchdog gave earlier no longer holds.</summary>
    private EventActivityBinder<ImportState, T> Complete<T>(EventActivityBinder<ImportState, T> binder)
        where T : class =>
        binder
            .Then(c => c.Saga.FailureReason = null)
            .Then(Finished)
            .IfElse(c => c.Saga.Rejected > 0, withErrors => withErrors.TransitionTo(CompletedWithErrors), clean => clean.TransitionTo(Completed));

    private EventActivityBinder<ImportState, T> Cancel<T>(EventActivityBinder<ImportState, T> binder)
        where T : class =>
        binder.Then(Finished).TransitionTo(Cancelled);

    private EventActivityBinder<ImportState, T> Fail<T>(EventActivityBinder<ImportState, T> binder)
        where T : class =>
        binder.Then(Finished).TransitionTo(Failed);

    private EventActivityBinder<ImportState, ImportStalled> Stall(EventActivityBinder<ImportState, ImportStalled> binder) =>
        Fail(binder.Then(c => c.Saga.FailureReason = ImportFacts.StallReason(c.Saga)));

    /// <summary>When the import first reached an outcome; a Failed import that completes later keeps it.</summary>
    private void Finished(BehaviorContext<ImportState> context) => context.Saga.FinishedAt ??= _time.GetUtcNow();
}
