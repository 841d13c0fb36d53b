using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Logbus.Storage.Schema;

/// <summary>
/// Migrates at start-up without blocking it: while PostgreSQL is unreachable the service still starts, answers
/// liveness, reports not-ready, and keeps retrying.
/// </summary>
public sealed class DatabaseMigrationService(
    DatabaseMigrator migrator,
    DatabaseSchemaState state,
    ILogger<DatabaseMigrationService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await migrator.MigrateAsync(stoppingToken);
                state.MarkReady();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                state.MarkFailed(e.Message);
                logger.LogWarning("Cannot migrate the database yet ({Reason}); retrying in {Delay}", e.Message, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
