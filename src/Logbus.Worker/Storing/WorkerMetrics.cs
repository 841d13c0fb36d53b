using Prometheus;

namespace Logbus.Worker.Storing;

/// <summary>What the Worker counts, including the seed's metric names.</summary>
public static class WorkerMetrics
{
    public static readonly Counter EventsConsumed = Metrics.CreateCounter("logbus_worker_events_consumed_total", "Events in the chunks the Worker consumed.");

    public static readonly Counter EventsStored = Metrics.CreateCounter("logbus_worker_events_stored_total", "Events stored as new rows.");

    public static readonly Counter EventsDuplicate = Metrics.CreateCounter("logbus_worker_events_duplicate_total", "Events that were already stored (redeliveries, re-sent ids).");

    public static readonly Counter EventsSkipped = Metrics.CreateCounter("logbus_worker_events_skipped_total", "Events of cancelled imports that were not stored.");

    public static readonly Histogram ChunkSize = Metrics.CreateHistogram("logbus_worker_chunk_events", "Events per stored chunk.",
        new HistogramConfiguration { Buckets = [1, 10, 50, 100, 250, 500, 750, 1000, 2000] });

    public static readonly Histogram StoreDuration = Metrics.CreateHistogram("logbus_worker_store_duration_seconds", "Time to write a chunk (COPY and insert).",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    public static readonly Histogram IngestToStored = Metrics.CreateHistogram("logbus_worker_ingest_to_stored_seconds",
        "From the Api accepting an event to the Worker storing it (the newest event of each chunk).",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });

    public static readonly Counter Retries = Metrics.CreateCounter("logbus_worker_retries_total",
        "Consume attempts repeated after a transient failure (PostgreSQL unreachable or timing out).");

    public static readonly Counter SeedMessagesConsumed = Metrics.CreateCounter("kafka_messages_consumed_total", "Kafka messages consumed (the seed's metric).");

    public static readonly Histogram SeedProcessingDuration = Metrics.CreateHistogram("log_processing_duration_seconds", "Time to process a consumed message (the seed's metric).");

    public static readonly Counter SeedConsumptionErrors = Metrics.CreateCounter("kafka_consumption_errors_total", "Consume attempts that failed, before retries (the seed's metric).");

    /// <summary>Creates every metric now, so a scrape shows them (at zero) before the first message arrives.</summary>
    public static void Publish() => GC.KeepAlive(SeedConsumptionErrors);
}
