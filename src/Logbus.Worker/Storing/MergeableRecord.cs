using System.Diagnostics;
using Logbus.Storage;

namespace Logbus.Worker.Storing;

/// <summary>What became of a record handed to <see cref="MergedStore"/>.</summary>
public enum MergeOutcome
{
    /// <summary>
    /// Its rows are stored and its inbox row is consumed and delivered, committed together; a chunk of an import has sent its
    /// progress too.
    /// </summary>
    Stored,

    /// <summary>Its inbox row said it was consumed before: a redelivered copy, which stores nothing.</summary>
    ConsumedBefore,

    /// <summary>Not stored: the record goes the per-record way (inbox, consumer, dead-lettering of what it cannot store).</summary>
    StoreAlone,
}

/// <summary>
/// A record of <c>log-events</c> that may be stored together with others: every event storable by the Worker's own checks,
/// and a message id for the inbox. A chunk of an import also says how to report its progress (<see cref="Import"/>).
/// </summary>
public sealed class MergeableRecord(Guid messageId, DateTime? expirationTime, IReadOnlyList<LogEvent> rows, CancellationToken cancellationToken,
    MergedImportChunk? import = null)
{
    private readonly TaskCompletionSource<MergeOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid MessageId { get; } = messageId;

    public DateTime? ExpirationTime { get; } = expirationTime;

    public IReadOnlyList<LogEvent> Rows { get; } = rows;

    /// <summary>Set when the record is a chunk of an import, whose progress goes to the import saga through the consumer outbox.</summary>
    public MergedImportChunk? Import { get; } = import;

    /// <summary>The record's own consume token: once it is cancelled (the partition was revoked, the Worker stops), nobody waits for it.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The record's consume span, which the merged store's span continues or links to.</summary>
    public ActivityContext Parent { get; } = Activity.Current?.Context ?? default;

    public Task<MergeOutcome> Outcome => _outcome.Task;

    public void Complete(MergeOutcome outcome) => _outcome.TrySetResult(outcome);

    public void Fail(Exception exception) => _outcome.TrySetException(exception);
}
