using Logbus.ServiceDefaults.Monitoring;

namespace Logbus.Query.Export;

/// <summary>
/// What exports count on <c>/metrics</c>: refusals at the concurrency caps, pages read again and exports cut. Every series
/// exists at zero from startup (<see cref="Touch"/>), so an alert on an increase sees the first one.
/// </summary>
internal static class ExportMetrics
{
    public static readonly IReadOnlyList<string> RetryReasons = ["queue_timeout", "statement_timeout", "unavailable"];

    public static readonly CumulativeCounter Refusals = new CumulativeCounter(LogbusMeters.Logbus, "query_export_refusals_total", "{request}",
        "Exports answered 429 because Export:MaxConcurrent (cap=total) or Export:MaxConcurrentPerClient (cap=client) streams were open.",
        "cap").ZeroEach(["total", "client"]);

    public static readonly CumulativeCounter PageRetries = new CumulativeCounter(LogbusMeters.Logbus, "query_export_page_retries_total", "{page}",
        "Export pages read again after a refusal by a read limit (queue_timeout, statement_timeout) or PostgreSQL being unreachable (unavailable).",
        "reason").ZeroEach(RetryReasons);

    public static readonly CumulativeCounter Cut = new(LogbusMeters.Logbus, "query_export_cut_total", "{export}",
        "Exports whose response was aborted mid-stream, a page having failed Export:PageAttempts times (the client sees a transfer error).");

    /// <summary>Creates the instruments at startup (a static class's fields exist from the first read of one).</summary>
    public static void Touch()
    {
        _ = Refusals;
        _ = PageRetries;
        _ = Cut;
    }
}
