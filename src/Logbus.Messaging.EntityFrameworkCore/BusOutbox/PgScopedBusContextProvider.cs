using MassTransit;
using MassTransit.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Chooses the scoped bus context: inside a consumer the bus delivered, its consume context (which, behind
/// <c>UsePgOutbox</c>, is the consumer outbox); otherwise the bus outbox on the scope's DbContext.
/// </summary>
public sealed class PgScopedBusContextProvider<TDbContext> : IScopedBusContextProvider<IBus>, IDisposable
    where TDbContext : DbContext
{
    public PgScopedBusContextProvider(IBus bus, TDbContext db, Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> busConsumeContext, IScopedConsumeContextProvider globalConsumeContext, IServiceProvider provider,
        OutboxDestinations destinations, BusOutboxCommitAnnouncer<TDbContext> announcer, ILogger<PgScopedBusContextProvider<TDbContext>> logger)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        ArgumentNullException.ThrowIfNull(busConsumeContext);
        ArgumentNullException.ThrowIfNull(globalConsumeContext);
        if (busConsumeContext.Value.HasContext)
        {
            Context = new ConsumeContextScopedBusContext(busConsumeContext.Value.GetContext(), clientFactory.Value);
        }
        else if (globalConsumeContext.HasContext)
        {
            Context = new PgConsumeContextScopedBusContext<TDbContext>(bus, db, clientFactory.Value, provider, destinations, announcer,
                globalConsumeContext.GetContext(), logger);
        }
        else
        {
            Context = new PgScopedBusContext<TDbContext>(bus, db, clientFactory.Value, provider, destinations, announcer, logger);
        }
    }

    public ScopedBusContext Context { get; }

    public void Dispose() => (Context as IDisposable)?.Dispose();
}
