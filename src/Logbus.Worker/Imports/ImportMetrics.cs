using Prometheus;

namespace Logbus.Worker.Imports;

/// <summary>What the Worker reports about imports.</summary>
public static class ImportMetrics
{
    public static readonly Gauge ByState = Metrics.CreateGauge("logbus_imports", "Imports by saga state (all kept imports, refreshed by the watchdog).",
        new GaugeConfiguration { LabelNames = ["state"] });
}
