using Logbus.Storage.Partitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Logbus.Storage.Schema;

/// <summary>
/// Brings a database to the current schema: EF Core migrations, then the daily partitions around today. Safe to run
/// twice and from several processes at once: EF Core holds a database lock while it migrates, and partition
/// maintenance holds an advisory lock.
/// </summary>
public sealed class DatabaseMigrator(IServiceProvider services, TimeProvider time, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, pending);
            }

            await db.Database.MigrateAsync(cancellationToken);
        }

        await PartitionMaintenanceService.RunOnceAsync(
            services.GetRequiredService<LogEventPartitions>(),
            services.GetRequiredService<IOptions<LogEventPartitionOptions>>().Value,
            time.GetUtcNow(),
            cancellationToken);
    }
}
