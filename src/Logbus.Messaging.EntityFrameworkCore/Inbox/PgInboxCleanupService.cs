using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// Keeps the inbox to its duplicate-detection window, and rescues stranded rows: messages a consumer sent that never
/// reached the transport (<see cref="InboxOptions.StrandedMessages"/>). Every statement takes its rows with
/// <c>FOR UPDATE SKIP LOCKED</c> in bounded batches, so any number of instances can run it side by side, and a row a
/// redelivered copy holds is left alone.
/// </summary>
public sealed partial class PgInboxCleanupService<TDbContext>(
    IServiceScopeFactory scopes,
    IOptionsMonitor<InboxOptions> options,
    MessagingMetrics metrics,
    ILogger<PgInboxCleanupService<TDbContext>> logger)
    : BackgroundService
    where TDbContext : DbContext
{
    private static readonly string ContextName = typeof(TDbContext).Name;

    private InboxOptions Options => options.Get(Configuration.MessagingRegistration.OptionsName<TDbContext>());

    /// <summary>Runs both rules once until nothing is left to do; returns the rows removed and the rows rescued.</summary>
    public async Task<(int Removed, int Rescued)> CleanOnceAsync(CancellationToken cancellationToken)
    {
        var settings = Options;
        var removed = 0;
        int batch;
        do
        {
            batch = await RemoveExpiredAsync(settings, cancellationToken);
            removed += batch;
        }
        while (batch >= settings.CleanupBatchSize);

        var rescued = 0;
        if (settings.StrandedMessages == StrandedMessageRule.HandToBusOutbox)
        {
            do
            {
                batch = await HandStrandedToBusOutboxAsync(settings, cancellationToken);
                rescued += batch;
            }
            while (batch >= settings.CleanupBatchSize);
        }

        if (removed > 0)
        {
            metrics.InboxRemoved(ContextName, removed);
        }

        if (rescued > 0)
        {
            metrics.StrandedAdopted(ContextName, rescued);
            LogRescued(rescued, settings.StrandedAfter);
        }

        return (removed, rescued);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CleanOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogCleanupFailed(e);
            }

            try
            {
                await Task.Delay(Options.CleanupInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<int> RemoveExpiredAsync(InboxOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tables = MessagingTables.For(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = PgCommands.Create(db, $"""
            DELETE FROM {tables.Inbox} WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM {tables.Inbox} WHERE delivered < now() - @window
                ORDER BY delivered LIMIT @limit FOR UPDATE SKIP LOCKED))
            """);
        command.Parameters.AddWithValue("window", settings.DuplicateDetectionWindow);
        command.Parameters.AddWithValue("limit", settings.CleanupBatchSize);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Moves the undelivered messages of stranded rows to the bus outbox (one outbox per inbound message, keeping their
    /// order), drops those already sent, marks the rows delivered so they age out, and wakes the delivery services.
    /// </summary>
    private async Task<int> HandStrandedToBusOutboxAsync(InboxOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tables = MessagingTables.For(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = PgCommands.Create(db, $"""
            WITH stranded AS (
                SELECT message_id, consumer_id, coalesce(last_sequence_number, -9223372036854775808) AS last_sent
                FROM {tables.Inbox}
                WHERE delivered IS NULL AND consumed < now() - @after
                ORDER BY consumed LIMIT @limit FOR UPDATE SKIP LOCKED),
            moved AS (
                UPDATE {tables.Messages} m
                SET outbox_id = md5(s.message_id::text || '/' || s.consumer_id::text)::uuid, inbox_message_id = NULL, inbox_consumer_id = NULL
                FROM stranded s
                WHERE m.inbox_message_id = s.message_id AND m.inbox_consumer_id = s.consumer_id AND m.sequence_number > s.last_sent
                RETURNING m.outbox_id),
            sent AS (
                DELETE FROM {tables.Messages} m USING stranded s
                WHERE m.inbox_message_id = s.message_id AND m.inbox_consumer_id = s.consumer_id AND m.sequence_number <= s.last_sent),
            outboxes AS (
                INSERT INTO {tables.Outbox} (outbox_id, created) SELECT DISTINCT outbox_id, now() FROM moved
                ON CONFLICT DO NOTHING),
            marked AS (
                UPDATE {tables.Inbox} i SET delivered = now() FROM stranded s
                WHERE i.message_id = s.message_id AND i.consumer_id = s.consumer_id
                RETURNING 1)
            SELECT (SELECT count(*)::int FROM marked), (SELECT count(*)::int FROM moved)
            """);
        command.Parameters.AddWithValue("after", settings.StrandedAfter);
        command.Parameters.AddWithValue("limit", settings.CleanupBatchSize);
        int rows, moved;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            rows = reader.GetInt32(0);
            moved = reader.GetInt32(1);
        }

        if (moved > 0)
        {
            // The statement above has committed: every delivery service listening on the database may go now.
            await using var notify = PgCommands.Create(db, "SELECT pg_notify(@channel, '')");
            notify.Parameters.AddWithValue("channel", tables.NotificationChannel);
            await notify.ExecuteNonQueryAsync(cancellationToken);
        }

        return rows;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Count} consumed message(s) had sends undelivered for over {After}; they were handed to the bus outbox for delivery")]
    private partial void LogRescued(int count, TimeSpan after);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox cleanup failed; it runs again after the cleanup interval")]
    private partial void LogCleanupFailed(Exception exception);
}
