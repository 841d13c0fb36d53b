using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Storage.Partitions;

/// <summary>Keeps daily partitions prepared ahead of time and drops those past retention, every interval.</summary>
public sealed class PartitionMaintenanceService(
    IServiceProvider services,
    IOptions<LogEventPartitionOptions> options,
    TimeProvider time,
    ILogger<PartitionMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = services.GetRequiredService<Schema.DatabaseSchemaState>();
        await schema.WaitUntilReadyAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(services.GetRequiredService<LogEventPartitions>(), options.Value, time.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(e, "Partition maintenance failed; it runs again in {Interval}", options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One maintenance pass as of <paramref name="now"/>.</summary>
    public static async Task RunOnceAsync(LogEventPartitions partitions, LogEventPartitionOptions options, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await partitions.EnsureAsync(today.AddDays(-options.DaysBehind), today.AddDays(options.DaysAhead), cancellationToken);
        await partitions.DropBeforeAsync(today.AddDays(-options.RetentionDays), cancellationToken);
    }
}
