using Logbus.Messaging.EntityFrameworkCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Holds one connection that LISTENs on the outbox channel and wakes the local delivery service when another process
/// commits outbox rows. After every (re)connect it wakes it once, since notifications sent meanwhile are gone.
/// </summary>
internal sealed class OutboxNotificationListener<TDbContext>(IServiceScopeFactory scopes, BusOutboxSignals<TDbContext> signals, ILogger logger)
    where TDbContext : DbContext
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Listening for outbox notifications failed; retrying in {Delay}", delay);
                signals.Delivery.Set();
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        connection.Notification += OnNotification;
        try
        {
            await using (var listen = PgCommands.Create(db, $"LISTEN {MessagingTables.Quote(MessagingTables.For(db).NotificationChannel)}"))
            {
                await listen.ExecuteNonQueryAsync(cancellationToken);
            }

            signals.Delivery.Set();
            while (true)
            {
                await connection.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            connection.Notification -= OnNotification;
            await UnlistenAsync(db, connection);
        }
    }

    /// <summary>
    /// The connection goes back to the pool, where a session that still listens but is never read would hold back
    /// PostgreSQL's notification queue for every other listener.
    /// </summary>
    private static async Task UnlistenAsync(TDbContext db, NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var unlisten = PgCommands.Create(db, "UNLISTEN *");
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is not pooled again; nothing listens on it any more.
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!string.Equals(e.Payload, signals.InstanceId, StringComparison.Ordinal))
        {
            signals.Delivery.Set();
        }
    }
}
