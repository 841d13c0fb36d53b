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

    /// <summary>
    /// The ways an accepted chunk of a request or an import leaves the Api, the values of <c>logbus_ingest_chunks_total</c>'s
    /// <c>path</c>.
    /// </summary>
    public const string DirectPath = "direct";

    public const string OutboxPath = "outbox";

    private static readonly CumulativeCounter Chunks = new(LogbusMeters.Logbus, "ingest_chunks_total", "{chunk}",
        "Chunks of accepted events, by path: produced straight to Kafka (direct) or committed to the outbox (outbox).", "path");

    private static readonly Histogram<double> ImportHoldWaits = LogbusMeters.Logbus.CreateHistogram("ingest_import_hold_wait_seconds", "s",
        "Waits of an import's chunk for Kafka's retention guard to lift its hold on the topic, by topic and outcome (lifted; timed_out: "
        + "the chunk went to the outbox).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.Doubling(0.05m, 12) });

    /// <summary>The reasons a request is refused for, the values of <c>logbus_ingest_rejected_requests_total</c>'s <c>reason</c>.</summary>
    private static readonly string[] Reasons =
        ["invalid", "not_json", "undecodable", "too_large", "unauthorized", "rate_limited", "busy", "unavailable"];

    private static readonly CumulativeCounter Rejections = new(LogbusMeters.Logbus, "ingest_rejected_requests_total", "{request}",
        $"Requests refused, by route and reason ({string.Join(", ", Reasons)}).", "route", "reason");

    private static readonly Histogram<double> Duration = LogbusMeters.Logbus.CreateHistogram("ingest_duration_seconds", "s",
        "Time from request to commit, by route.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.Doubling(0.0005m, 16) });

    /// <summary>
    /// Creates every series of the ingest routes at zero (each route's events by result, bytes, and rejections by
    /// reason), so dashboards show 0 from start-up and an alert on <c>increase()</c> sees the first rejection.
    /// </summary>
    public static void StartAtZero(IEnumerable<RouteEndpoint> endpoints)
    {
        string[] routes = [.. endpoints.Select(RouteLabel.Of).Distinct(StringComparer.Ordinal)];
        Events.ZeroEach(routes, ["accepted", "rejected"]);
        Bytes.ZeroEach(routes);
        Rejections.ZeroEach(routes, Reasons);
        Chunks.ZeroEach([DirectPath, OutboxPath]);
    }

    public static void ImportHoldWaited(string topic, bool lifted, TimeSpan waited) =>
        ImportHoldWaits.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("topic", topic),
            new KeyValuePair<string, object?>("outcome", lifted ? "lifted" : "timed_out"));

    public static void ChunksSent(string path, int count)
    {
        if (count > 0)
        {
            Chunks.Add(count, path);
        }
    }

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

    private static string Route(HttpContext context) => RouteLabel.Of(context);
}
