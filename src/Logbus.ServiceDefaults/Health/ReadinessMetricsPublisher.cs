using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Logbus.ServiceDefaults.Health;

/// <summary>
/// Readiness as metrics, so Prometheus can alert on a service that runs (<c>up</c> is 1) but cannot do its job:
/// <c>logbus_ready</c> is 1 while /health/ready answers 200 (a degraded dependency, one the service copes without,
/// keeps it ready), <c>logbus_health_check_status{check}</c> is 1 per dependency that answers and 0 per one that does
/// not, degraded or not, so a dependency outage shows even where the service keeps serving. The health-check service runs the readiness checks on its own schedule and hands the report here.
/// </summary>
public sealed class ReadinessMetricsPublisher : IHealthCheckPublisher
{
    /// <summary>How often readiness is measured for the metrics; well under the alert's window.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private static readonly Gauge Ready = Metrics.CreateGauge("logbus_ready", "1 while every dependency this service needs answers (what /health/ready says), else 0.");

    private static readonly Gauge Checks = Metrics.CreateGauge("logbus_health_check_status", "1 while the dependency answers its readiness check (healthy), 0 while it does not (degraded or unhealthy).", "check");

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        Ready.Set(report.Status == HealthStatus.Unhealthy ? 0 : 1);
        foreach (var (name, entry) in report.Entries)
        {
            Checks.WithLabels(name).Set(entry.Status == HealthStatus.Healthy ? 1 : 0);
        }

        return Task.CompletedTask;
    }
}
