using Logbus.Messaging.EntityFrameworkCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Tells other processes that bus-outbox rows were committed here: a NOTIFY on the outbox channel, sent after the
/// commit from a connection of its own. Sending it there rather than inside the writer's transaction keeps the
/// request path free of it, and coalesces a burst of commits into at most one notification per
/// <see cref="BusOutboxOptions.NotifyInterval"/>, always followed by one after the last commit.
/// </summary>
public sealed class OutboxNotifier<TDbContext>(
    IServiceScopeFactory scopes,
    BusOutboxSignals<TDbContext> signals,
    BusOutboxOptions options,
    ILogger<OutboxNotifier<TDbContext>> logger)
    : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signals.Notify.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                await NotifyAsync(stoppingToken);
                await Task.Delay(options.NotifyInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Other processes still find the rows at their next poll.
                logger.LogWarning(e, "Could not announce committed outbox rows to other processes");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task NotifyAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = PgCommands.Create(db, "SELECT pg_notify(@channel, @payload)");
        command.Parameters.AddWithValue("channel", MessagingTables.For(db).NotificationChannel);
        command.Parameters.AddWithValue("payload", signals.InstanceId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
