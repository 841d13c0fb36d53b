using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// What MassTransit's <see cref="OutboxMessagePipe{TMessage}"/> sees during one pass of
/// <see cref="PgOutboxContextFactory{TDbContext}"/>: the locked inbox row, and the DbContext whose transaction holds it.
/// Sends are captured as outbox rows in that DbContext; they are saved with the consumer's own changes.
/// </summary>
public sealed class PgOutboxConsumeContext<TDbContext, TMessage> : OutboxConsumeContextProxy<TMessage>
    where TDbContext : DbContext
    where TMessage : class
{
    private static readonly string ContextName = typeof(TDbContext).Name;
    private readonly TDbContext _db;
    private readonly InboxState _inbox;
    private readonly MessagingTables _tables;
    private readonly MessagingMetrics? _metrics;
    private readonly SemaphoreSlim _addGate = new(1, 1);
    private List<OutboxMessage>? _preloaded;
    private int _captured;

    public PgOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider, TDbContext db,
        InboxState inbox, List<OutboxMessage>? preloaded = null, MessagingMetrics? metrics = null)
        : base(context, options, provider)
    {
        _db = db;
        _inbox = inbox;
        _preloaded = preloaded;
        _tables = MessagingTables.For(db);
        _metrics = metrics;
    }

    public override Guid? MessageId => _inbox.MessageId;

    public override bool ContinueProcessing { get; set; } = true;

    public override bool IsMessageConsumed => _inbox.Consumed.HasValue;

    public override bool IsOutboxDelivered => _inbox.Delivered.HasValue;

    public override int ReceiveCount => _inbox.ReceiveCount;

    public override long? LastSequenceNumber => _inbox.LastSequenceNumber;

    /// <summary>True once this pass ran the consumer.</summary>
    internal bool ConsumedInThisPass { get; private set; }

    public override async Task SetConsumed()
    {
        EnsureInboxTracked();
        var now = DateTime.UtcNow;
        _inbox.Consumed = now;
        if (Volatile.Read(ref _captured) == 0)
        {
            // Nothing to deliver: the message is done in this one transaction, without a delivery pass.
            _inbox.Delivered = now;
            ContinueProcessing = false;
        }

        await _db.SaveChangesAsync(CancellationToken);
        ConsumedInThisPass = true;
    }

    public override async Task SetDelivered()
    {
        EnsureInboxTracked();
        var now = DateTime.UtcNow;
        // Deleting the sent rows in the transaction that marks them delivered keeps "delivered means no rows left" true
        // at every commit, and saves the separate clean-up pass MassTransit's own outbox makes; both go in one round trip.
        await using (var command = Command($"""
            DELETE FROM {_tables.Messages} WHERE inbox_message_id = @message_id AND inbox_consumer_id = @consumer_id;
            UPDATE {_tables.Inbox} SET delivered = @delivered, last_sequence_number = @last
            WHERE message_id = @message_id AND consumer_id = @consumer_id
            """))
        {
            command.Parameters.AddWithValue("delivered", now);
            command.Parameters.Add(new Npgsql.NpgsqlParameter<long?>("last", _inbox.LastSequenceNumber)
            {
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint,
            });
            await command.ExecuteNonQueryAsync(CancellationToken);
        }

        _inbox.Delivered = now;
        // The row is written; the tracker must not write it again.
        _db.Entry(_inbox).State = EntityState.Unchanged;
        ContinueProcessing = false;
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        if (_preloaded is { } preloaded)
        {
            _preloaded = null;
            return [.. preloaded];
        }

        var last = _inbox.LastSequenceNumber ?? long.MinValue;
        var messages = await _db.Set<OutboxMessage>()
            .AsNoTracking()
            .Where(m => m.InboxMessageId == _inbox.MessageId && m.InboxConsumerId == _inbox.ConsumerId && m.SequenceNumber > last)
            .OrderBy(m => m.SequenceNumber)
            .Take(Options.MessageDeliveryLimit + 1)
            .ToListAsync(CancellationToken);
        foreach (var message in messages)
        {
            message.Deserialize(SystemTextJsonMessageSerializer.Instance);
        }

        return [.. messages];
    }

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureInboxTracked();
        _inbox.LastSequenceNumber = message.SequenceNumber;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Nothing to remove: <see cref="SetDelivered"/> deleted the rows in the transaction that marked the message delivered,
    /// so a duplicate costs one statement, not two.
    /// </summary>
    public override Task RemoveOutboxMessages() => Task.CompletedTask;

    public override async Task AddSend<T>(SendContext<T> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = OutboxMessageFactory.Create(context);
        message.InboxMessageId = _inbox.MessageId;
        message.InboxConsumerId = _inbox.ConsumerId;
        // A consumer may publish from several tasks at once; a DbContext is not thread-safe, and the order of Add is the
        // delivery order.
        await _addGate.WaitAsync(CancellationToken);
        try
        {
            await _db.Set<OutboxMessage>().AddAsync(message, CancellationToken);
            Interlocked.Increment(ref _captured);
            _metrics?.Captured(ContextName);
        }
        finally
        {
            _addGate.Release();
        }
    }

    /// <summary>The consumer may have cleared the change tracker; the inbox row must still be saved with its changes.</summary>
    private void EnsureInboxTracked()
    {
        if (_db.Entry(_inbox).State == EntityState.Detached)
        {
            PgOutboxContextFactory<TDbContext>.AttachFresh(_db, _inbox);
        }
    }

    private Npgsql.NpgsqlCommand Command(string sql)
    {
        var command = PgCommands.Create(_db, sql);
        command.Parameters.AddWithValue("message_id", _inbox.MessageId);
        command.Parameters.AddWithValue("consumer_id", _inbox.ConsumerId);
        return command;
    }
}
