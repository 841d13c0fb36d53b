using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// The bus as a scope outside any consumer (a web request) sees it when the bus outbox is on: publish and send add
/// rows to the scope's DbContext, and the caller's <c>SaveChanges</c> or commit makes them durable with its own data.
/// Its send endpoint provider is MassTransit's <see cref="OutboxSendEndpointProvider"/>, which is how other components
/// (the Kafka rider's scoped producer) recognise an outbox-backed scope.
/// </summary>
public partial class PgScopedBusContext<TDbContext> : ScopedBusContext, OutboxSendContext, IDisposable
    where TDbContext : DbContext
{
    private static readonly object Committed = new();
    private static readonly string ContextName = typeof(TDbContext).Name;
    private readonly IBus _bus;
    private readonly TDbContext _db;
    private readonly IClientFactory _clientFactory;
    private readonly IServiceProvider _provider;
    private readonly OutboxDestinations _destinations;
    private readonly BusOutboxCommitAnnouncer<TDbContext> _announcer;
    private readonly ILogger? _logger;
    private readonly SemaphoreSlim _addGate = new(1, 1);
    private readonly MessagingMetrics? _metrics;
    private OutboxState? _state;
    private EntityEntry<OutboxState>? _stateEntry;
    private object? _savedIn;
    private ISendEndpointProvider? _sendEndpointProvider;
    private IPublishEndpoint? _publishEndpoint;
    private IScopedClientFactory? _scopedClientFactory;
    private bool _watchingSaves;

    public PgScopedBusContext(IBus bus, TDbContext db, IClientFactory clientFactory, IServiceProvider provider, OutboxDestinations destinations,
        BusOutboxCommitAnnouncer<TDbContext> announcer, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        _bus = bus;
        _db = db;
        _clientFactory = clientFactory;
        _provider = provider;
        _metrics = provider.GetService(typeof(MessagingMetrics)) as MessagingMetrics;
        _destinations = destinations;
        _announcer = announcer;
        _logger = logger;
    }

    public ISendEndpointProvider SendEndpointProvider =>
        _sendEndpointProvider ??= new OutboxSendEndpointProvider(this,
            new BusOutboxSendEndpointProvider(GetSendEndpointProvider(), _destinations, _bus.Address));

    public IPublishEndpoint PublishEndpoint =>
        _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, GetPublishEndpointProvider()));

    public IScopedClientFactory ClientFactory => _scopedClientFactory ??= CreateClientFactory();

    public object? GetService(Type serviceType) => _provider.GetService(serviceType);

    /// <summary>
    /// Adds the message to the current outbox of this scope. One outbox per database transaction: messages saved in the
    /// same transaction share it (so they go out in order); after a commit the next message starts a new one.
    /// </summary>
    public async Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = OutboxMessageFactory.Create(context);
        await _addGate.WaitAsync(context.CancellationToken);
        try
        {
            if (!_watchingSaves)
            {
                _db.SavedChanges += RememberWhereTheStateWasSaved;
                _watchingSaves = true;
            }

            if (!CurrentOutboxIsOpen())
            {
                _state = new OutboxState { OutboxId = NewId.NextGuid(), Created = DateTime.UtcNow };
                _savedIn = null;
                _stateEntry = _db.Add(_state);
            }

            message.OutboxId = _state!.OutboxId;
            await _db.Set<OutboxMessage>().AddAsync(message, context.CancellationToken);
            _announcer.RowsAdded(_db);
            _metrics?.Captured(ContextName);
        }
        finally
        {
            _addGate.Release();
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || !_watchingSaves)
        {
            return;
        }

        // A pooled DbContext outlives this scope.
        _db.SavedChanges -= RememberWhereTheStateWasSaved;
        _watchingSaves = false;
        try
        {
            if (_stateEntry is { State: EntityState.Added } && _logger is not null)
            {
                LogNeverSaved(_logger, _state!.OutboxId);
            }
        }
        catch (ObjectDisposedException)
        {
            // The DbContext went first; nothing left to tell.
        }
    }

    protected virtual ISendEndpointProvider GetSendEndpointProvider() => _bus;

    protected virtual IPublishEndpointProvider GetPublishEndpointProvider() => _bus;

    protected virtual ScopedClientFactory CreateClientFactory() =>
        new(new ClientFactory(new ScopedClientFactoryContext(_clientFactory, _provider)), null);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Messages were published in this scope but never saved (no SaveChanges after them); outbox {OutboxId} is dropped")]
    private static partial void LogNeverSaved(ILogger logger, Guid outboxId);

    private bool CurrentOutboxIsOpen()
    {
        if (_state is null)
        {
            return false;
        }

        if (_stateEntry is { State: EntityState.Added })
        {
            return true;
        }

        // Saved already: still open while the transaction it was saved in is (its messages join it and commit with it).
        return _savedIn is IDbContextTransaction saved && ReferenceEquals(saved, _db.Database.CurrentTransaction);
    }

    private void RememberWhereTheStateWasSaved(object? sender, SavedChangesEventArgs e)
    {
        if (_state is not null && _savedIn is null && _stateEntry is { State: EntityState.Unchanged })
        {
            _savedIn = (object?)_db.Database.CurrentTransaction ?? Committed;
        }
    }
}
