using System.Data;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Logbus.Messaging.EntityFrameworkCore.Saga;

/// <summary>
/// The saga repository on PostgreSQL. Behind <c>UsePgOutbox</c> it joins the inbox pass's transaction (same scope, same
/// DbContext), so the saga's state, the inbox row and the messages the saga sent commit together; a conflict there
/// aborts that whole transaction and the endpoint's message retry runs it again. Without an inbox it runs a READ
/// COMMITTED transaction of its own and retries conflicts itself.
/// </summary>
public sealed class PgSagaRepositoryContextFactory<TDbContext, TSaga>(
    TDbContext db,
    ISagaConsumeContextFactory<TDbContext, TSaga> consumeContextFactory,
    PgSagaRepositoryOptions<TSaga> options,
    MessagingMetrics metrics)
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISaga
{
    private static readonly string SagaName = typeof(TSaga).Name;

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return InTransactionAsync(context.CancellationToken, () =>
            next.Send(new PgSagaRepositoryContext<TDbContext, TSaga, T>(db, context, consumeContextFactory, options.ConcurrencyMode)));
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(next);
        return InTransactionAsync(context.CancellationToken, async () =>
        {
            var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId)
                .ToListAsync(context.CancellationToken);
            var instances = await PgSagaLoader.LoadAsync<TSaga>(db, ids, options.ConcurrencyMode, context.CancellationToken);
            var repository = new PgSagaRepositoryContext<TDbContext, TSaga, T>(db, context, consumeContextFactory, options.ConcurrencyMode);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repository, instances));
        });
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new PgSagaReadContext<TSaga>(db, cancellationToken));
    }

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new PgSagaReadContext<TSaga>(db, cancellationToken));
    }

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Add("persistence", "postgresql");
        context.Add("concurrencyMode", options.ConcurrencyMode.ToString());
    }

    private async Task InTransactionAsync(CancellationToken cancellationToken, Func<Task> work)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            // The inbox pass (or the caller) owns the transaction: commit, rollback and retry are theirs.
            try
            {
                await work();
            }
            catch (Exception e) when (PgErrors.IsConflict(e))
            {
                metrics.SagaConflict(SagaName);
                throw;
            }

            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            var autoSavepoints = db.Database.AutoSavepointsEnabled;
            db.Database.AutoSavepointsEnabled = false;
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                try
                {
                    await work();
                    await transaction.CommitAsync(cancellationToken);
                    return;
                }
                catch (Exception e)
                {
                    await RollBackAsync(transaction);
                    db.ChangeTracker.Clear();
                    if (!PgErrors.IsConflict(e))
                    {
                        throw;
                    }

                    metrics.SagaConflict(SagaName);
                    if (attempt > options.ConflictRetryLimit)
                    {
                        throw;
                    }
                }
            }
            finally
            {
                db.Database.AutoSavepointsEnabled = autoSavepoints;
            }

            await Task.Delay(ConflictDelay(attempt), cancellationToken);
        }
    }

    private TimeSpan ConflictDelay(int attempt)
    {
        var ceiling = Math.Min(options.MaxConflictDelay.TotalMilliseconds,
            options.FirstConflictDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16)));
#pragma warning disable CA5394 // Jitter spreads racing writers apart; it needs no cryptographic randomness.
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
#pragma warning restore CA5394
    }

    private static async Task RollBackAsync(IDbContextTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is already broken; PostgreSQL has rolled the transaction back on its side.
        }
    }
}
