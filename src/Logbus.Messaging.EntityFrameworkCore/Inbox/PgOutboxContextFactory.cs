using System.Data;
using System.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// Drives MassTransit's <see cref="OutboxConsumeFilter{TContext,TMessage}"/> on PostgreSQL. Each pass is one READ
/// COMMITTED transaction that first upserts and thereby row-locks the inbox row, so every copy of a message queues
/// behind the first. Pass 1 runs the consumer and commits its writes with everything it sent; pass 2 hands those
/// messages to the transport and marks the row delivered; a later copy finds the row delivered and is skipped.
/// </summary>
public sealed class PgOutboxContextFactory<TDbContext>(TDbContext db, IServiceProvider provider, IInboxMessageIdProvider messageIds,
    MessagingMetrics metrics)
    : IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    private static readonly string ContextName = typeof(TDbContext).Name;

    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var messageId = messageIds.GetMessageId(context)
            ?? throw new MessageException(typeof(T),
                "The inbox needs a MessageId (or Kafka-Topic/Kafka-Partition/Kafka-Offset headers, or a configured IInboxMessageIdProvider) "
                + "to deduplicate this message.");
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException($"{ContextName} already has a transaction open; the inbox must own the consumer's transaction.");
        }

        var timer = Stopwatch.StartNew();
        var strategy = db.Database.CreateExecutionStrategy();
        var firstPass = true;
        while (true)
        {
            var isFirstPass = firstPass;
            // After the pass that consumed, messages are known to wait: load them with the lock, in the same round trip.
            var pass = await strategy.ExecuteAsync(() => RunPassAsync(context, options, next, messageId, preload: !isFirstPass));
            firstPass = false;
            if (isFirstPass)
            {
                // A copy whose first pass found the row consumed already is a duplicate, whether or not it then delivers.
                if (pass.ConsumedInThisPass)
                {
                    metrics.Consumed(ContextName);
                }
                else
                {
                    metrics.DuplicateSkipped(ContextName);
                }
            }

            if (pass.ContinueProcessing)
            {
                continue;
            }

            // A copy whose consumer did not run here was still handled: without this the transport would count it as
            // skipped (no consumer took it) and move it aside.
            if (pass.Context.ReceiveContext is { IsDelivered: false, IsFaulted: false })
            {
                await pass.Context.NotifyConsumed(pass.Context, timer.Elapsed, options.ConsumerType);
            }

            return;
        }
    }

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = context.CreateFilterScope("outboxContextFactory");
        scope.Add("provider", "postgresql");
        scope.Add("isolationLevel", nameof(IsolationLevel.ReadCommitted));
    }

    /// <summary>
    /// Tracks <paramref name="inbox"/>, first dropping any other tracked copy of the row: EF keeps an instance it already
    /// tracks and ignores a row it reads again, so a stale copy would win otherwise.
    /// </summary>
    internal static void AttachFresh(DbContext db, InboxState inbox)
    {
        foreach (var stale in db.ChangeTracker.Entries<InboxState>()
                     .Where(e => !ReferenceEquals(e.Entity, inbox) && e.Entity.MessageId == inbox.MessageId
                         && e.Entity.ConsumerId == inbox.ConsumerId)
                     .ToList())
        {
            stale.State = EntityState.Detached;
        }

        db.Attach(inbox);
    }

    private async Task<PassResult<T>> RunPassAsync<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next,
        Guid messageId, bool preload)
        where T : class
    {
        // Every failure rolls the whole pass back, so EF's automatic savepoint around each SaveChanges would only cost
        // round trips (and subtransactions).
        var autoSavepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        InboxState? inbox = null;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);
            try
            {
                var (locked, preloaded) = await LockInboxRowAsync(messageId, options.ConsumerId, context.ExpirationTime,
                    preload ? options.MessageDeliveryLimit + 1 : null, context.CancellationToken);
                inbox = locked;
                AttachFresh(db, inbox);
                var outboxContext = new PgOutboxConsumeContext<TDbContext, T>(context, options, provider, db, inbox, preloaded, metrics);
                await next.Send(outboxContext);
                await db.SaveChangesAsync(context.CancellationToken);
                await transaction.CommitAsync(context.CancellationToken);
                return new PassResult<T>(outboxContext, outboxContext.ContinueProcessing, outboxContext.ConsumedInThisPass);
            }
            catch
            {
                await RollBackAsync(transaction);
                // Entities of the failed attempt (business rows, sagas, outbox rows) must not leak into the retry.
                db.ChangeTracker.Clear();
                throw;
            }
        }
        finally
        {
            if (inbox is not null && db.Entry(inbox).State != EntityState.Detached)
            {
                db.Entry(inbox).State = EntityState.Detached;
            }

            db.Database.AutoSavepointsEnabled = autoSavepoints;
        }
    }

    /// <summary>
    /// Inserts the inbox row or, when it exists, bumps its receive count; either way the row is locked until the
    /// transaction ends, and a concurrent first copy makes this wait for its outcome. The values come straight from
    /// the statement, never from the change tracker. With <paramref name="preloadLimit"/> the same round trip also
    /// reads the messages still to deliver.
    /// </summary>
    private async Task<(InboxState Inbox, List<OutboxMessage>? Preloaded)> LockInboxRowAsync(Guid messageId, Guid consumerId,
        DateTime? expirationTime, int? preloadLimit, CancellationToken cancellationToken)
    {
        var tables = MessagingTables.For(db);
        var preload = preloadLimit is null
            ? ""
            : $"""
              ;
              SELECT {OutboxMessageReader.Columns} FROM {tables.Messages} m
              WHERE m.inbox_message_id = @message_id AND m.inbox_consumer_id = @consumer_id
                AND m.sequence_number > coalesce((SELECT last_sequence_number FROM {tables.Inbox}
                                                  WHERE message_id = @message_id AND consumer_id = @consumer_id), -9223372036854775808)
              ORDER BY m.sequence_number LIMIT @limit
              """;
        await using var command = PgCommands.Create(db, $"""
            INSERT INTO {tables.Inbox} AS i (message_id, consumer_id, received, receive_count, expiration_time)
            VALUES (@message_id, @consumer_id, now(), 1, @expiration_time)
            ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + 1
            RETURNING received, receive_count, expiration_time, consumed, delivered, last_sequence_number
            """ + preload);
        command.Parameters.AddWithValue("message_id", messageId);
        command.Parameters.AddWithValue("consumer_id", consumerId);
        command.Parameters.Add(new NpgsqlParameter<DateTime?>("expiration_time", expirationTime?.ToUniversalTime())
        {
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        if (preloadLimit is { } limit)
        {
            command.Parameters.AddWithValue("limit", limit);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var inbox = new InboxState
        {
            MessageId = messageId,
            ConsumerId = consumerId,
            Received = reader.GetFieldValue<DateTime>(0),
            ReceiveCount = reader.GetInt32(1),
            ExpirationTime = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTime>(2),
            Consumed = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTime>(3),
            Delivered = reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTime>(4),
            LastSequenceNumber = reader.IsDBNull(5) ? null : reader.GetInt64(5),
        };
        if (preloadLimit is null)
        {
            return (inbox, null);
        }

        var messages = new List<OutboxMessage>();
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(OutboxMessageReader.Read(reader));
        }

        return (inbox, messages);
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

    private sealed record PassResult<T>(PgOutboxConsumeContext<TDbContext, T> Context, bool ContinueProcessing, bool ConsumedInThisPass)
        where T : class;
}
