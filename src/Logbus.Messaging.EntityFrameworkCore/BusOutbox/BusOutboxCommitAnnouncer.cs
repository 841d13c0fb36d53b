using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Sees a DbContext commit the bus-outbox rows that <see cref="PgScopedBusContext{TDbContext}"/> added, and only then
/// announces them: after <c>SaveChanges</c> when it committed on its own, or after the commit of the caller's
/// transaction. Announcing earlier would wake the delivery service before the rows are visible to it.
/// </summary>
public sealed class BusOutboxCommitAnnouncer<TDbContext>(BusOutboxSignals<TDbContext> signals) : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TDbContext : DbContext
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    /// <summary>Called when outbox rows were added to <paramref name="db"/>; they are announced once committed.</summary>
    internal void RowsAdded(DbContext db) => _pending.GetOrCreateValue(db).Unsaved = true;

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData?.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData?.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData?.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData?.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData?.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        RolledBack(eventData?.Context);
        return Task.CompletedTask;
    }

    private void Saved(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending) || !pending.Unsaved)
        {
            return;
        }

        pending.Unsaved = false;
        if (db.Database.CurrentTransaction is null)
        {
            signals.Committed();
        }
        else
        {
            pending.AwaitingCommit = true;
        }
    }

    private void Committed(DbContext? db)
    {
        if (db is not null && _pending.TryGetValue(db, out var pending) && pending.AwaitingCommit)
        {
            pending.AwaitingCommit = false;
            signals.Committed();
        }
    }

    private void RolledBack(DbContext? db)
    {
        if (db is not null && _pending.TryGetValue(db, out var pending))
        {
            pending.AwaitingCommit = false;
        }
    }

    private sealed class Pending
    {
        public bool Unsaved { get; set; }

        public bool AwaitingCommit { get; set; }
    }
}
