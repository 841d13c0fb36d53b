using System.Diagnostics;
using MassTransit;

namespace Logbus.Worker.Storing;

/// <summary>
/// Sits inside the retry filter, so it sees every consume attempt: an attempt after the first counts as a retry, a
/// failed one as a consumption error, a finished one as a consumed message (the seed's metrics).
/// </summary>
public sealed class StoringAttemptMetricsFilter : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (context.GetRetryAttempt() > 0)
        {
            WorkerMetrics.Retries.Inc();
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next.Send(context);
        }
        catch
        {
            WorkerMetrics.SeedConsumptionErrors.Inc();
            throw;
        }

        WorkerMetrics.SeedMessagesConsumed.Inc();
        WorkerMetrics.SeedProcessingDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("storingAttemptMetrics");
}
