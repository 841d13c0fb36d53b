using System.Diagnostics.Metrics;
using Logbus.ServiceDefaults.Monitoring;

namespace Logbus.Worker.Storing;

/// <summary>
/// What the Worker counts (the tutorial's own metric names are in <see cref="TutorialCompatibility.TutorialWorkerMetrics"/>). The instruments are
/// created together, when the storing endpoint is configured (its <see cref="StoringAttemptMetricsFilter"/> takes its instruments from here), so a
/// scrape shows the counters at zero before the first message arrives.
/// </summary>
public static class WorkerMetrics
{
    public static readonly CumulativeCounter EventsConsumed =
        new(LogbusMeters.Logbus, "worker_events_consumed_total", "{event}", "Events in the chunks the Worker consumed.");

    public static readonly CumulativeCounter EventsStored =
        new(LogbusMeters.Logbus, "worker_events_stored_total", "{event}", "Events stored as new rows.");

    public static readonly CumulativeCounter EventsDuplicate =
        new(LogbusMeters.Logbus, "worker_events_duplicate_total", "{event}", "Events that were already stored (redeliveries, re-sent ids).");

    public static readonly CumulativeCounter EventsSkipped =
        new(LogbusMeters.Logbus, "worker_events_skipped_total", "{event}", "Events of cancelled imports that were not stored.");

    public static readonly CumulativeCounter EventsIsolated = new(LogbusMeters.Logbus, "worker_events_isolated_total", "{event}",
        "Events of a chunk that could not be stored with the others and were handed on alone, to be dead-lettered with their reason, " +
        "by reason (the field that is not storable, or sqlstate_<code> when PostgreSQL refused it).", "reason");

    public static readonly Histogram<double> ChunkSize = LogbusMeters.Logbus.CreateHistogram("worker_chunk_events", "{event}",
        "Events per stored chunk.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 750, 1000, 2000] });

    public static readonly Histogram<double> StoreTransactionRecords = LogbusMeters.Logbus.CreateHistogram("worker_store_transaction_records",
        "{record}", "Records (chunks) stored together in one merged transaction.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    public static readonly Histogram<double> StoreDuration = LogbusMeters.Logbus.CreateHistogram("worker_store_duration_seconds", "s",
        "Time to write a chunk, or the chunks of a merged transaction (COPY and insert, and the inbox rows of a merged one).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.Doubling(0.001m, 14) });

    public static readonly Histogram<double> IngestToStored = LogbusMeters.Logbus.CreateHistogram("worker_ingest_to_stored_seconds", "s",
        "From the Api accepting an event to the Worker storing it (the newest event of each chunk).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.Doubling(0.005m, 14) });

    public static readonly CumulativeCounter Retries = new(LogbusMeters.Logbus, "worker_retries_total", "{attempt}",
        "Consume attempts repeated after a transient failure (PostgreSQL unreachable or timing out).");

    /// <summary>One consumed chunk: its events, its size, and how long its newest stored event took from the Api to here.</summary>
    /// <param name="newestReceivedAt">When the Api accepted the chunk's newest stored event; null when none was stored.</param>
    public static void ChunkConsumed(int events, DateTimeOffset? newestReceivedAt, DateTimeOffset now)
    {
        EventsConsumed.Add(events);
        ChunkSize.Record(events);
        if (newestReceivedAt is { } received)
        {
            IngestToStored.Record(Math.Max(0, (now - received).TotalSeconds));
        }
    }
}
