using System.Diagnostics.Metrics;
using Logbus.ServiceDefaults.Monitoring;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.ServiceDefaults.Health;

/// <summary>
/// Readiness as metrics, so Prometheus can alert on a service that runs (<c>up</c> is 1) but cannot do its job:
/// <c>logbus_ready</c> is 1 while /health/ready answers 200 (a degraded dependency, one the service copes without,
/// keeps it ready), <c>logbus_health_check_status{check}</c> is 1 per dependency that answers and 0 per one that does
/// not, degraded or not, so a dependency outage shows even where the service keeps serving. The health-check service runs the readiness checks on its
/// own schedule and hands the report here.
/// </summary>
public sealed class ReadinessMetricsPublisher : IHealthCheckPublisher
{
    /// <summary>How often readiness is measured for the metrics; well under the alert's window.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private volatile HealthReport? _latest;

    public ReadinessMetricsPublisher(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        // Observed at every scrape, so the gauges stay on /metrics however long readiness stays the same.
        var meter = meters.Create(LogbusMeters.LogbusName);
        meter.CreateObservableGauge("ready", ObserveReady, unit: null,
            "1 while every dependency this service needs answers (what /health/ready says), else 0.");
        meter.CreateObservableGauge("health_check_status", ObserveChecks, unit: null,
            "1 while the dependency answers its readiness check (healthy), 0 while it does not (degraded or unhealthy).");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        _latest = report;
        return Task.CompletedTask;
    }

    private IEnumerable<Measurement<int>> ObserveReady() =>
        _latest is { } report ? [new Measurement<int>(report.Status == HealthStatus.Unhealthy ? 0 : 1)] : [];

    private IEnumerable<Measurement<int>> ObserveChecks() =>
        _latest is { } report
            ? [.. report.Entries.Select(e =>
                new Measurement<int>(e.Value.Status == HealthStatus.Healthy ? 1 : 0, new KeyValuePair<string, object?>("check", e.Key)))]
            : [];
}
