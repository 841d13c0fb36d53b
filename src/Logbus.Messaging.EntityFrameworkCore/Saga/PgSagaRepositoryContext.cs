using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Logbus.Messaging.EntityFrameworkCore.Saga;

/// <summary>
/// Saga instances of one message's transaction: loaded tracked (optimistic) or under <c>FOR UPDATE</c> (pessimistic),
/// saved through the same DbContext, so they commit or roll back with the inbox row and the outbox messages.
/// </summary>
public sealed class PgSagaRepositoryContext<TDbContext, TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TDbContext : DbContext
    where TSaga : class, ISaga
    where TMessage : class
{
    private const string InsertSavepoint = "saga_insert";
    private readonly TDbContext _db;
    private readonly ConsumeContext<TMessage> _context;
    private readonly ISagaConsumeContextFactory<TDbContext, TSaga> _factory;
    private readonly ConcurrencyMode _mode;

    public PgSagaRepositoryContext(TDbContext db, ConsumeContext<TMessage> context, ISagaConsumeContextFactory<TDbContext, TSaga> factory,
        ConcurrencyMode mode)
        : base(context, db)
    {
        _db = db;
        _context = context;
        _factory = factory;
        _mode = mode;
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _context, instance, SagaConsumeContextMode.Add);

    /// <summary>
    /// Inserts ahead of the behaviour (<c>InsertOnInitial</c>). When a racing first event inserted the instance already,
    /// PostgreSQL would abort the whole transaction on the unique violation; the savepoint keeps it usable, and the
    /// caller then loads the existing instance.
    /// </summary>
    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var transaction = _db.Database.CurrentTransaction ?? throw new InvalidOperationException("A saga insert needs the repository's transaction.");
        await transaction.CreateSavepointAsync(InsertSavepoint, CancellationToken);
        var entry = _db.Set<TSaga>().Add(instance);
        try
        {
            await _db.SaveChangesAsync(CancellationToken);
        }
        catch (DbUpdateException e) when (PgErrors.IsUniqueViolation(e))
        {
            await transaction.RollbackToSavepointAsync(InsertSavepoint, CancellationToken);
            entry.State = EntityState.Detached;
            return null!;
        }

        await transaction.ReleaseSavepointAsync(InsertSavepoint, CancellationToken);
        return await _factory.CreateSagaConsumeContext(_db, _context, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await PgSagaLoader.LoadAsync<TSaga>(_db, correlationId, _mode, CancellationToken);
        return instance is null ? null! : await _factory.CreateSagaConsumeContext(_db, _context, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _db.Set<TSaga>().Add(context.Saga);
        await _db.SaveChangesAsync(CancellationToken);
    }

    public Task Update(SagaConsumeContext<TSaga> context) => _db.SaveChangesAsync(CancellationToken);

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _db.Set<TSaga>().Remove(context.Saga);
        await _db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    /// <summary>A read-only policy looked without changing anything: forget the instance rather than save it.</summary>
    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _db.Entry(context.Saga).State = EntityState.Detached;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance,
        SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);
}
