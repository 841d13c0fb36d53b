using System.Data;
using System.Globalization;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Sends what web requests committed to the bus outbox. Each round is one transaction that claims the oldest outbox
/// transactions with <c>FOR UPDATE SKIP LOCKED</c> (so several instances share the work and never send the same row at
/// once), sends each outbox's messages in order (different outboxes concurrently), then deletes what was sent and
/// commits. A crash before the commit leaves the rows, which the next claimer sends again: delivery is at least once.
/// It drains while there is work, then sleeps until a commit here, a NOTIFY from elsewhere, the next outbox due for a
/// retry, or the poll interval.
/// </summary>
/// <remarks>
/// A failed send backs off only its own outbox (<c>next_attempt</c>, doubling from one second up to
/// <see cref="BusOutboxOptions.MaxRetryDelay"/>); outboxes committed after it are claimed meanwhile. A message the
/// transport refuses for good (an <see cref="IOutboxSendFailureClassifier"/> says so: too large, invalid) is moved to
/// <c>outbox_parked</c> with its reason and counted, and the rest of its outbox goes on. A round reads bodies only of what
/// it will send (<see cref="DeliveryPlan"/>): none of a held destination's.
/// </remarks>
public sealed partial class PgBusOutboxDeliveryService<TDbContext>(
    IServiceScopeFactory scopes,
    IBusControl bus,
    BusOutboxOptions options,
    OutboxDestinations destinations,
    BusOutboxSignals<TDbContext> signals,
    MessagingMetrics metrics,
    IEnumerable<IOutboxSendFailureClassifier> classifiers,
    IEnumerable<IOutboxDeliveryHold> holds,
    ILogger<PgBusOutboxDeliveryService<TDbContext>> logger)
    : BackgroundService
    where TDbContext : DbContext
{
    private static readonly string ContextName = typeof(TDbContext).Name;
    private readonly IOutboxSendFailureClassifier[] _classifiers = [.. classifiers];
    private readonly IOutboxDeliveryHold[] _holds = [.. holds];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = options.ListenForNotifications
            ? new OutboxNotificationListener<TDbContext>(scopes, signals, logger).RunAsync(stoppingToken)
            : Task.CompletedTask;
        try
        {
            // Sends before the bus runs would only fail and back off; rows committed meanwhile simply wait.
            await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30)).WaitAsync(stoppingToken);
            await DeliverUntilStoppedAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await listening;
        }
    }

    /// <summary>Runs one claim-send-commit round; public so a host or a test can drive delivery directly.</summary>
    public async Task<DeliveryRound> DeliverOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tables = MessagingTables.For(db);
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var claimed = await ClaimAsync(db, tables, cancellationToken);
        if (claimed.Count == 0)
        {
            var nextAttemptIn = await NextAttemptInAsync(db, tables, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new DeliveryRound(0, 0, false, 0, nextAttemptIn);
        }

        var plan = await PlanAsync(db, tables, claimed, cancellationToken);
        var messages = await LoadAsync(db, tables, plan.ToLoad, cancellationToken);
        var byOutbox = messages.GroupBy(m => m.OutboxId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var results = await Task.WhenAll(byOutbox.Keys.Union(plan.Held).Select(id =>
            SendInOrderAsync(id, byOutbox.GetValueOrDefault(id) ?? [], plan.Held.Contains(id), cancellationToken)));

        var sent = results.Where(r => r.LastSent is not null).ToList();
        var held = results.Where(r => r.Held).Select(r => r.OutboxId).ToArray();
        var failed = results.Where(r => r.Failed || r.Held).Select(r => r.OutboxId).ToHashSet();
        var complete = claimed.Where(id => !failed.Contains(id) && plan.Completes(id)).ToArray();
        var parked = results.SelectMany(r => r.Parked).ToList();
        await ParkAsync(db, tables, parked, cancellationToken);
        await RemoveSentAsync(db, tables, sent, complete, cancellationToken);
        await BackOffAsync(db, tables, [.. failed.Except(held)], cancellationToken);
        await PutOffAsync(db, tables, held, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var count = results.Sum(r => r.Count);
        if (count > 0)
        {
            metrics.Delivered(ContextName, count);
        }

        foreach (var reason in parked.GroupBy(p => p.Reason))
        {
            metrics.Parked(ContextName, reason.Key, reason.Count());
        }

        return new DeliveryRound(claimed.Count, count, failed.Count > held.Length, parked.Count, Loaded: messages.Count, Held: held.Length);
    }

    private async Task DeliverUntilStoppedAsync(CancellationToken stoppingToken)
    {
        // Only a round that failed as a whole (the database away) pauses everything; a failed send backs off its own outbox.
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            DeliveryRound round;
            try
            {
                round = await DeliverOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(e);
                failures++;
                await Task.Delay(RetryDelay(failures), stoppingToken);
                continue;
            }

            failures = 0;
            if (round.Claimed == 0)
            {
                var wait = round.NextAttemptIn is { } due && due < options.PollInterval ? due : options.PollInterval;
                await signals.Delivery.WaitAsync(wait, stoppingToken);
            }
        }
    }

    private TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(options.MaxRetryDelay.TotalMilliseconds, 1000 * Math.Pow(2, Math.Min(failures - 1, 16))));

    private async Task<List<Guid>> ClaimAsync(DbContext db, MessagingTables tables, CancellationToken cancellationToken)
    {
        var timeout = ((long)options.ClaimTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        await using var command = PgCommands.Create(db, $"""
            SET LOCAL idle_in_transaction_session_timeout = {timeout};
            SELECT outbox_id FROM {tables.Outbox} WHERE next_attempt IS NULL OR next_attempt <= now()
            ORDER BY created, outbox_id LIMIT @limit FOR UPDATE SKIP LOCKED
            """);
        command.Parameters.AddWithValue("limit", options.ClaimBatchSize);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static async Task<TimeSpan?> NextAttemptInAsync(DbContext db, MessagingTables tables, CancellationToken cancellationToken)
    {
        await using var command = PgCommands.Create(db, $"""
            SELECT extract(epoch FROM min(next_attempt) - now())::float8 FROM {tables.Outbox} WHERE next_attempt > now()
            """);
        return await command.ExecuteScalarAsync(cancellationToken) is double seconds
            ? TimeSpan.FromSeconds(Math.Max(0, seconds)) + TimeSpan.FromMilliseconds(10)
            : null;
    }

    /// <summary>
    /// Lists the claimed outboxes' messages in order without their bodies (at most
    /// <see cref="BusOutboxOptions.MessageBatchSize"/>; <c>octet_length</c> of a stored text does not read it) and plans the
    /// round from that listing.
    /// </summary>
    private async Task<DeliveryPlan> PlanAsync(DbContext db, MessagingTables tables, List<Guid> claimed, CancellationToken cancellationToken)
    {
        await using var command = PgCommands.Create(db, $"""
            SELECT m.outbox_id, m.sequence_number, m.destination_address, octet_length(m.body), count(*) OVER () AS total
            FROM {tables.Messages} m
            JOIN unnest(@claimed) WITH ORDINALITY AS c(outbox_id, position) ON m.outbox_id = c.outbox_id
            ORDER BY c.position, m.sequence_number
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("claimed", claimed.ToArray());
        command.Parameters.AddWithValue("limit", (long)options.MessageBatchSize);
        var listed = new List<ListedMessage>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                listed.Add(new ListedMessage(reader.GetGuid(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : new Uri(reader.GetString(2)),
                    reader.IsDBNull(3) ? 0 : reader.GetInt32(3)));
                total = reader.GetInt64(4);
            }
        }

        // Looks ahead without counting (IsHolding): the messages planned are asked again, counting, right before each is sent.
        return DeliveryPlan.For(listed, listed.Count == total, IsHolding, options.MessageBatchSize, options.MessageBatchBytes);
    }

    /// <summary>Loads the planned messages, bodies and all, in sequence.</summary>
    private static async Task<List<OutboxMessage>> LoadAsync(DbContext db, MessagingTables tables, List<long> sequenceNumbers,
        CancellationToken cancellationToken)
    {
        var messages = new List<OutboxMessage>(sequenceNumbers.Count);
        if (sequenceNumbers.Count == 0)
        {
            return messages;
        }

        await using var command = PgCommands.Create(db, $"""
            SELECT {OutboxMessageReader.Columns} FROM {tables.Messages} m WHERE m.sequence_number = ANY(@sequence) ORDER BY m.sequence_number
            """);
        command.Parameters.AddWithValue("sequence", sequenceNumbers.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(OutboxMessageReader.Read(reader));
        }

        return messages;
    }

    /// <summary>
    /// Sends one outbox's messages one after another, stopping at the first failure that may pass so none overtakes
    /// another; a message refused for good is parked and the next one sent.
    /// </summary>
    /// <param name="heldAfter">The plan found the outbox's next message held: it waits for the recheck once these are sent.</param>
    private async Task<OutboxSendResult> SendInOrderAsync(Guid outboxId, List<OutboxMessage> messages, bool heldAfter,
        CancellationToken cancellationToken)
    {
        long? lastSent = null;
        var count = 0;
        var parked = new List<ParkedSend>();
        foreach (var message in messages)
        {
            if (message.DestinationAddress is not { } destination)
            {
                LogNoDestination(message.MessageId, outboxId);
                lastSent = message.SequenceNumber;
                continue;
            }

            if (IsHeld(destination))
            {
                return new OutboxSendResult(outboxId, lastSent, count, false, parked, Held: true);
            }

            try
            {
                using var span = OutboxTracing.StartDelivery(message, destination);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.MessageDeliveryTimeout);
                var endpoint = await destinations.ProviderFor(destination).GetSendEndpoint(destination);
                await endpoint.Send(new SerializedMessageBody(), StoredRawJsonSendPipe.For(message, destination), timeout.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                metrics.DeliveryFailed(ContextName);
                if (PermanentReason(e) is { } reason)
                {
                    LogParked(e, message.MessageId, destination, outboxId, reason);
                    parked.Add(new ParkedSend(message.SequenceNumber, reason, e.GetBaseException().Message));
                    lastSent = message.SequenceNumber;
                    continue;
                }

                LogSendFailed(e, message.MessageId, destination, outboxId);
                return new OutboxSendResult(outboxId, lastSent, count, true, parked);
            }

            lastSent = message.SequenceNumber;
            count++;
        }

        return new OutboxSendResult(outboxId, lastSent, count, false, parked, Held: heldAfter);
    }

    private bool IsHeld(Uri destination) => _holds.Any(hold => hold.IsHeld(destination));

    private bool IsHolding(Uri destination) => _holds.Any(hold => hold.IsHolding(destination));

    private string? PermanentReason(Exception exception)
    {
        foreach (var classifier in _classifiers)
        {
            if (classifier.PermanentReason(exception) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Moves refused messages to <c>outbox_parked</c>, before the sent ones around them are deleted.</summary>
    private static async Task ParkAsync(DbContext db, MessagingTables tables, List<ParkedSend> parked, CancellationToken cancellationToken)
    {
        if (parked.Count == 0)
        {
            return;
        }

        await using var command = PgCommands.Create(db, $"""
            INSERT INTO {tables.Parked} (sequence_number, message_id, outbox_id, sent_time, headers, properties, content_type, message_type,
                body, destination_address, reason, error, parked)
            SELECT m.sequence_number, m.message_id, m.outbox_id, m.sent_time, m.headers, m.properties, m.content_type, m.message_type,
                m.body, m.destination_address, p.reason, p.error, now()
            FROM {tables.Messages} m JOIN unnest(@sequence, @reason, @error) AS p(sequence_number, reason, error)
                ON m.sequence_number = p.sequence_number
            ON CONFLICT (sequence_number) DO NOTHING;
            DELETE FROM {tables.Messages} WHERE sequence_number = ANY(@sequence)
            """);
        command.Parameters.AddWithValue("sequence", parked.Select(p => p.SequenceNumber).ToArray());
        command.Parameters.AddWithValue("reason", parked.Select(p => p.Reason).ToArray());
        command.Parameters.AddWithValue("error", parked.Select(p => p.Error).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Puts off the next claim of each outbox whose send failed: one second, doubling per attempt, at most the maximum.</summary>
    private async Task BackOffAsync(DbContext db, MessagingTables tables, Guid[] failed, CancellationToken cancellationToken)
    {
        if (failed.Length == 0)
        {
            return;
        }

        await using var command = PgCommands.Create(db, $"""
            UPDATE {tables.Outbox}
            SET next_attempt = now() + least(@max_ms, 1000 * power(2, least(attempts, 16))) * interval '1 millisecond',
                attempts = attempts + 1
            WHERE outbox_id = ANY(@failed)
            """);
        command.Parameters.AddWithValue("max_ms", options.MaxRetryDelay.TotalMilliseconds);
        command.Parameters.AddWithValue("failed", failed);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Claims each held outbox again after the hold's recheck interval, without counting an attempt.</summary>
    private async Task PutOffAsync(DbContext db, MessagingTables tables, Guid[] held, CancellationToken cancellationToken)
    {
        if (held.Length == 0)
        {
            return;
        }

        await using var command = PgCommands.Create(db, $"""
            UPDATE {tables.Outbox} SET next_attempt = now() + @recheck_ms * interval '1 millisecond' WHERE outbox_id = ANY(@held)
            """);
        command.Parameters.AddWithValue("recheck_ms", options.HoldRecheckInterval.TotalMilliseconds);
        command.Parameters.AddWithValue("held", held);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task RemoveSentAsync(DbContext db, MessagingTables tables, List<OutboxSendResult> sent, Guid[] complete,
        CancellationToken cancellationToken)
    {
        await using var command = PgCommands.Create(db, $"""
            DELETE FROM {tables.Messages} m USING unnest(@sent_ids, @sent_last) AS s(outbox_id, last_sent)
            WHERE m.outbox_id = s.outbox_id AND m.sequence_number <= s.last_sent;
            DELETE FROM {tables.Outbox} WHERE outbox_id = ANY(@complete)
            """);
        command.Parameters.AddWithValue("sent_ids", sent.Select(r => r.OutboxId).ToArray());
        command.Parameters.AddWithValue("sent_last", sent.Select(r => r.LastSent!.Value).ToArray());
        command.Parameters.AddWithValue("complete", complete);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Sending outbox message {MessageId} to {Destination} failed; outbox {OutboxId} waits for the next attempt")]
    private partial void LogSendFailed(Exception exception, Guid messageId, Uri destination, Guid outboxId);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Outbox message {MessageId} to {Destination} (outbox {OutboxId}) can never be delivered ({Reason}); parked in outbox_parked")]
    private partial void LogParked(Exception exception, Guid messageId, Uri destination, Guid outboxId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} of outbox {OutboxId} has no destination address; dropped")]
    private partial void LogNoDestination(Guid messageId, Guid outboxId);

    [LoggerMessage(Level = LogLevel.Error, Message = "An outbox delivery round failed")]
    private partial void LogRoundFailed(Exception exception);

    private sealed record OutboxSendResult(Guid OutboxId, long? LastSent, int Count, bool Failed, List<ParkedSend> Parked, bool Held = false);

    private sealed record ParkedSend(long SequenceNumber, string Reason, string Error);
}
