using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// The bus outbox in a scope that has a consume context the bus did not deliver (a rider's consumer without an inbox):
/// messages go to the bus outbox, carrying the consume context's conversation and scope like a direct send would.
/// </summary>
public sealed class PgConsumeContextScopedBusContext<TDbContext> : PgScopedBusContext<TDbContext>
    where TDbContext : DbContext
{
    private readonly IBus _bus;
    private readonly IClientFactory _clientFactory;
    private readonly IServiceProvider _provider;
    private readonly ConsumeContext _consumeContext;

    public PgConsumeContextScopedBusContext(IBus bus, TDbContext db, IClientFactory clientFactory, IServiceProvider provider,
        OutboxDestinations destinations, BusOutboxCommitAnnouncer<TDbContext> announcer, ConsumeContext consumeContext, ILogger? logger = null)
        : base(bus, db, clientFactory, provider, destinations, announcer, logger)
    {
        _bus = bus;
        _clientFactory = clientFactory;
        _provider = provider;
        _consumeContext = consumeContext;
    }

    protected override ISendEndpointProvider GetSendEndpointProvider() => new ScopedConsumeSendEndpointProvider(_bus, _consumeContext, _provider);

    protected override IPublishEndpointProvider GetPublishEndpointProvider() =>
        new ScopedConsumePublishEndpointProvider(_bus, _consumeContext, _provider);

    protected override ScopedClientFactory CreateClientFactory() =>
        new(new ClientFactory(new ScopedClientFactoryContext(_clientFactory, _provider)), _consumeContext);
}
