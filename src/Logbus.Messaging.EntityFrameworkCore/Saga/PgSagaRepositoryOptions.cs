using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.Saga;

/// <summary>How one saga type is locked and how its conflicts are retried.</summary>
public sealed class PgSagaRepositoryOptions<TSaga>
    where TSaga : class, ISaga
{
    /// <summary>
    /// <see cref="ConcurrencyMode.Optimistic"/>: load without a lock, and fail the save when another writer got there
    /// first (the saga needs an <c>xmin</c> or other concurrency token, see <c>UseXminConcurrency</c>).
    /// <see cref="ConcurrencyMode.Pessimistic"/>: load with <c>FOR UPDATE</c>, so writers to one instance queue instead
    /// of conflicting; better for hot instances.
    /// </summary>
    public ConcurrencyMode ConcurrencyMode { get; set; } = ConcurrencyMode.Pessimistic;

    /// <summary>
    /// When the repository runs its own transaction (no inbox on the endpoint), a conflict (concurrency token, unique key
    /// of a racing first event, serialization failure, deadlock) reruns the message this many times. Inside an inbox
    /// transaction the conflict aborts that transaction, and the endpoint's <c>UseMessageRetry</c> reruns it.
    /// </summary>
    public int ConflictRetryLimit { get; set; } = 20;

    /// <summary>The first pause after a conflict; it doubles, with jitter, up to <see cref="MaxConflictDelay"/>.</summary>
    public TimeSpan FirstConflictDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    public TimeSpan MaxConflictDelay { get; set; } = TimeSpan.FromMilliseconds(300);
}
