using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Logbus.Storage.Schema;

/// <summary>
/// For a service that does not migrate at start-up: ready once the database has every migration this build knows.
/// Until then readiness says which migrations are missing and how to apply them.
/// </summary>
public sealed class DatabaseSchemaCheckService(
    IServiceProvider services,
    DatabaseSchemaState state,
    ILogger<DatabaseSchemaCheckService> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var pending = (await scope.ServiceProvider.GetRequiredService<LogbusDbContext>().Database.GetPendingMigrationsAsync(stoppingToken))
                    .ToList();
                if (pending.Count == 0)
                {
                    state.MarkReady();
                    return;
                }

                state.MarkFailed($"{pending.Count} migration(s) not applied ({string.Join(", ", pending)}); run ./logbus migrate or start a " +
                    "service with Storage:MigrateOnStartup=true");
                logger.LogWarning("The database lacks {Count} migration(s): {Migrations}", pending.Count, pending);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                state.MarkFailed(e.Message);
            }

            await Task.Delay(RetryDelay, stoppingToken);
        }
    }
}
