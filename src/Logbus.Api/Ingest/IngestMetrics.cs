using Prometheus;

namespace Logbus.Api.Ingest;

/// <summary>Ingest metrics, including the seed's names.</summary>
public static class IngestMetrics
{
    private static readonly Counter Events = Metrics.CreateCounter(
        "logbus_ingest_events_total", "Events received, by route and result (accepted, rejected).", "route", "result");

    private static readonly Counter Bytes = Metrics.CreateCounter(
        "logbus_ingest_bytes_total", "Request body bytes received (after decompression), by route.", "route");

    private static readonly Counter Rejections = Metrics.CreateCounter(
        "logbus_ingest_rejected_requests_total", "Requests refused, by route and reason (invalid, not_json, too_large, unauthorized, rate_limited, busy, unavailable).", "route", "reason");

    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "logbus_ingest_duration_seconds", "Time from request to commit, by route.", new HistogramConfiguration
        {
            LabelNames = ["route"],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
        });

    private static readonly Counter SeedIngested = Metrics.CreateCounter("log_ingestion_total", "Events ingested (the seed's metric).");

    private static readonly Histogram SeedDuration = Metrics.CreateHistogram("log_ingestion_duration_seconds", "Time spent ingesting a request (the seed's metric).");

    public static void Accepted(HttpContext context, int count, TimeSpan elapsed)
    {
        var route = Route(context);
        Events.WithLabels(route, "accepted").Inc(count);
        SeedIngested.Inc(count);
        Duration.WithLabels(route).Observe(elapsed.TotalSeconds);
        SeedDuration.Observe(elapsed.TotalSeconds);
    }

    public static void RejectedEvents(HttpContext context, int count) => Events.WithLabels(Route(context), "rejected").Inc(count);

    public static void Received(HttpContext context, int bytes) => Bytes.WithLabels(Route(context)).Inc(bytes);

    public static void Rejected(HttpContext context, string reason) => Rejections.WithLabels(Route(context), reason).Inc();

    private static string Route(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
}
