using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Logbus.Messaging.EntityFrameworkCore.Saga;

/// <summary>Loads saga instances tracked, with or without row locks, never from a stale copy in the change tracker.</summary>
internal static class PgSagaLoader
{
    public static async Task<TSaga?> LoadAsync<TSaga>(DbContext db, Guid correlationId, ConcurrencyMode mode, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        ForgetTracked<TSaga>(db, [correlationId]);
        var query = mode == ConcurrencyMode.Pessimistic
#pragma warning disable EF1002 // The SQL is built from the EF model's table and column names; the value is a parameter.
            ? db.Set<TSaga>().FromSqlRaw(SagaTable.For<TSaga>(db).LockOne, correlationId)
#pragma warning restore EF1002
            : db.Set<TSaga>().Where(x => x.CorrelationId == correlationId);
        var found = await query.AsTracking().ToListAsync(cancellationToken);
        return found.SingleOrDefault();
    }

    public static async Task<List<TSaga>> LoadAsync<TSaga>(DbContext db, IReadOnlyCollection<Guid> correlationIds, ConcurrencyMode mode,
        CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        ForgetTracked<TSaga>(db, correlationIds);
        var ids = correlationIds.ToArray();
        var query = mode == ConcurrencyMode.Pessimistic
#pragma warning disable EF1002 // The SQL is built from the EF model's table and column names; the value is a parameter.
            ? db.Set<TSaga>().FromSqlRaw(SagaTable.For<TSaga>(db).LockMany, ids)
#pragma warning restore EF1002
            : db.Set<TSaga>().Where(x => ids.Contains(x.CorrelationId));
        return await query.AsTracking().ToListAsync(cancellationToken);
    }

    /// <summary>
    /// EF returns an already tracked instance as it is and ignores the row it just read; dropping tracked
    /// copies first makes every load see the committed row.
    /// </summary>
    private static void ForgetTracked<TSaga>(DbContext db, IReadOnlyCollection<Guid> correlationIds)
        where TSaga : class, ISaga
    {
        foreach (var entry in db.ChangeTracker.Entries<TSaga>().Where(e => correlationIds.Contains(e.Entity.CorrelationId)).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }
}
