using Logbus.Storage.Partitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Storage.Schema;

/// <summary>
/// Brings a database to the current schema: EF Core migrations, then the daily partitions around today. Safe to run
/// twice and from several processes at once: the whole run holds a session-level advisory lock, so a second process
/// waits, then finds nothing left to apply. (EF Core's own migration lock on PostgreSQL lasts one migration's
/// transaction, which let two processes apply the same later migration.)
/// </summary>
public sealed class DatabaseMigrator(IServiceProvider services, NpgsqlDataSource dataSource, TimeProvider time, ILogger<DatabaseMigrator> logger)
{
    // Any stable number works; it only has to be the same in every process that migrates this database.
    private const long AdvisoryLockKey = 0x4C6F67627573_00;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            acquire.Parameters.AddWithValue("key", AdvisoryLockKey);
            acquire.CommandTimeout = 0;
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await MigrateLockedAsync(cancellationToken);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", AdvisoryLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task MigrateLockedAsync(CancellationToken cancellationToken)
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
