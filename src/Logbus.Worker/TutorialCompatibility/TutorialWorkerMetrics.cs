using System.Diagnostics.Metrics;
using Logbus.ServiceDefaults.Monitoring;

namespace Logbus.Worker.TutorialCompatibility;

/// <summary>The tutorial's consumer metrics under its names, recorded by the storing endpoint beside Logbus's own.</summary>
public static class TutorialWorkerMetrics
{
    public static readonly CumulativeCounter MessagesConsumed =
        new(LogbusMeters.TutorialKafka, "messages_consumed_total", "{message}", "Kafka messages consumed (the tutorial's metric).");

    public static readonly Histogram<double> ProcessingDuration = LogbusMeters.TutorialLog.CreateHistogram("processing_duration_seconds", "s",
        "Time to process a consumed message (the tutorial's metric).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.ClientDefault });

    public static readonly CumulativeCounter ConsumptionErrors =
        new(LogbusMeters.TutorialKafka, "consumption_errors_total", "{attempt}",
            "Consume attempts that failed, before retries (the tutorial's metric).");
}
