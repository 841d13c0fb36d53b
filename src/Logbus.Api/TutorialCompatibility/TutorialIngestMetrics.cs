using System.Diagnostics.Metrics;
using Logbus.ServiceDefaults.Monitoring;

namespace Logbus.Api.TutorialCompatibility;

/// <summary>The tutorial's producer metrics under its names.</summary>
public static class TutorialIngestMetrics
{
    private static readonly CumulativeCounter Ingested =
        new(LogbusMeters.TutorialLog, "ingestion_total", "{event}", "Events ingested (the tutorial's metric).");

    private static readonly Histogram<double> Duration = LogbusMeters.TutorialLog.CreateHistogram("ingestion_duration_seconds", "s",
        "Time spent ingesting a request (the tutorial's metric).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.ClientDefault });

    public static void Accepted(int count, TimeSpan elapsed)
    {
        Ingested.Add(count);
        Duration.Record(elapsed.TotalSeconds);
    }
}
