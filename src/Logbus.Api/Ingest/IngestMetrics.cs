using System.Diagnostics.Metrics;
using Logbus.Api.TutorialCompatibility;
using Logbus.ServiceDefaults.Monitoring;

namespace Logbus.Api.Ingest;

/// <summary>Ingest metrics; each accepted request also counts in the tutorial's own metrics.</summary>
public static class IngestMetrics
{
    private static readonly CumulativeCounter Events = new(LogbusMeters.Logbus, "ingest_events_total", "{event}",
        "Events received, by route and result (accepted, rejected).", "route", "result");

    private static readonly CumulativeCounter Bytes = new(LogbusMeters.Logbus, "ingest_bytes_total", "By",
        "Request body bytes received (after decompression), by route.", "route");

    private static readonly CumulativeCounter Rejections = new(LogbusMeters.Logbus, "ingest_rejected_requests_total", "{request}",
        "Requests refused, by route and reason (invalid, not_json, too_large, unauthorized, rate_limited, busy, unavailable).",
        "route", "reason");

    private static readonly Histogram<double> Duration = LogbusMeters.Logbus.CreateHistogram("ingest_duration_seconds", "s",
        "Time from request to commit, by route.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.Doubling(0.0005m, 16) });

    public static void Accepted(HttpContext context, int count, TimeSpan elapsed)
    {
        var route = Route(context);
        Events.Add(count, route, "accepted");
        Duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("route", route));
        TutorialIngestMetrics.Accepted(count, elapsed);
    }

    public static void RejectedEvents(HttpContext context, int count) => Events.Add(count, Route(context), "rejected");

    public static void Received(HttpContext context, int bytes) => Bytes.Add(bytes, Route(context));

    public static void Rejected(HttpContext context, string reason) => Rejections.Add(1, Route(context), reason);

    private static string Route(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
}
