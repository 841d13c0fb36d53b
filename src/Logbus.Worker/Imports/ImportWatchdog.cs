using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.Storage;
using Logbus.Storage.Imports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Logbus.Worker.Imports;

/// <summary>
/// Finds imports that stopped moving (an upload that never finished, chunks that never arrived, a cancel no chunk acted
/// on) and tells their saga, which decides; and keeps the imports-by-state gauge current. Any number of Workers may run
/// it: a repeated report changes nothing.
/// </summary>
public sealed class ImportWatchdog(IServiceScopeFactory scopes, IOptions<ImportOptions> options, TimeProvider time, ILogger<ImportWatchdog> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.WatchdogInterval, time);
        do
        {
            try
            {
                await CheckAsync(settings, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Import watchdog could not check imports ({Reason}); trying again in {Interval}", exception.Message,
                    settings.WatchdogInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task CheckAsync(ImportOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
        var now = time.GetUtcNow();
        var cancelBefore = now - settings.CancelGrace;
        var receiveBefore = now - settings.ReceiveTimeout;
        var chunkBefore = now - settings.ChunkTimeout;
        var stalled = await db.Set<ImportState>().AsNoTracking()
            .Where(s => (s.CurrentState == ImportStates.Receiving || s.CurrentState == ImportStates.Persisting)
                        && ((s.CancelRequestedAt != null && s.LastProgressAt < cancelBefore && s.CancelRequestedAt < cancelBefore)
                            || (s.FailureReason == null && s.CurrentState == ImportStates.Receiving && s.LastProgressAt < receiveBefore)
                            || (s.FailureReason == null && s.CurrentState == ImportStates.Persisting && s.LastProgressAt < chunkBefore)))
            .Select(s => s.CorrelationId)
            .Take(100)
            .ToListAsync(cancellationToken);

        if (stalled.Count > 0)
        {
            var producer = scope.ServiceProvider.GetRequiredService<ITopicProducer<ImportStalled>>();
            foreach (var id in stalled)
            {
                logger.LogWarning("Import {ImportId} made no progress within its timeout (or was cancelled); reporting it to its saga", id);
                await producer.Produce(new ImportStalled(id, now), cancellationToken);
            }
        }

        var counts = await db.Set<ImportState>().AsNoTracking().GroupBy(s => s.CurrentState)
            .Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        foreach (var state in ImportStates.All)
        {
            ImportMetrics.SetCount(state, counts.FirstOrDefault(c => c.State == state)?.Count ?? 0);
        }
    }
}
