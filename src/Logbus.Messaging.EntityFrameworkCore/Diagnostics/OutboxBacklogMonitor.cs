using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.EntityFrameworkCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Logbus.Messaging.EntityFrameworkCore.Diagnostics;

/// <summary>
/// Reads the backlog of a DbContext's outbox tables every <see cref="BusOutboxOptions.BacklogRefreshInterval"/> for
/// the gauges of <see cref="MessagingMetrics"/>; a scrape never queries the database itself.
/// </summary>
public sealed partial class OutboxBacklogMonitor<TDbContext>(
    IServiceScopeFactory scopes,
    BusOutboxOptions options,
    MessagingMetrics metrics,
    ILogger<OutboxBacklogMonitor<TDbContext>> logger)
    : BackgroundService
    where TDbContext : DbContext
{
    private static readonly string ContextName = typeof(TDbContext).Name;

    /// <summary>Reads the backlog now and publishes it to the gauges.</summary>
    public async Task<OutboxBacklog> RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tables = MessagingTables.For(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = PgCommands.Create(db, $"""
            SELECT (SELECT count(*) FROM {tables.Messages} WHERE outbox_id IS NOT NULL),
                   coalesce(extract(epoch FROM now() - (SELECT min(created) FROM {tables.Outbox})), 0)::float8,
                   (SELECT count(*) FROM {tables.Inbox} WHERE delivered IS NULL),
                   coalesce(extract(epoch FROM now() - (SELECT min(consumed) FROM {tables.Inbox} WHERE delivered IS NULL)), 0)::float8,
                   -- The inbox holds every message of the dedup window: counting it exactly every few seconds would cost
                   -- a scan of a large table, while the planner's estimate is free and good enough for a trend.
                   (SELECT greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = '{tables.Inbox}'::regclass),
                   (SELECT count(*) FROM {tables.Parked})
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var backlog = new OutboxBacklog(reader.GetInt64(0), TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(1))), reader.GetInt64(2),
            TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(3))), reader.GetInt64(4), reader.GetInt64(5));
        metrics.Backlog(ContextName, backlog);
        return backlog;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(e);
            }

            try
            {
                await Task.Delay(options.BacklogRefreshInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the outbox backlog failed; the gauges keep their last values")]
    private partial void LogRefreshFailed(Exception exception);
}
