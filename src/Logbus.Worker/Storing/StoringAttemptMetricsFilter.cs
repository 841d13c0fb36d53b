using System.Diagnostics;
using System.Diagnostics.Metrics;
using Logbus.ServiceDefaults.Monitoring;
using MassTransit;
using Logbus.Worker.TutorialCompatibility;

namespace Logbus.Worker.Storing;

/// <summary>
/// Sits inside the retry filter, so it sees every consume attempt: an attempt after the first counts as a retry, a
/// failed one as a consumption error, a finished one as a consumed message (the tutorial's metrics).
/// </summary>
public sealed class StoringAttemptMetricsFilter : IFilter<ConsumeContext>
{
    private readonly CumulativeCounter _retries = WorkerMetrics.Retries;
    private readonly CumulativeCounter _errors = TutorialWorkerMetrics.ConsumptionErrors;
    private readonly CumulativeCounter _consumed = TutorialWorkerMetrics.MessagesConsumed;
    private readonly Histogram<double> _duration = TutorialWorkerMetrics.ProcessingDuration;

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (context.GetRetryAttempt() > 0)
        {
            _retries.Add(1);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next.Send(context);
        }
        catch
        {
            _errors.Add(1);
            throw;
        }

        _consumed.Add(1);
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("storingAttemptMetrics");
}
