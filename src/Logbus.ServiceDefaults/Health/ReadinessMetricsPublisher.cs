using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Logbus.ServiceDefaults.Health;

/// <summary>
/// Readiness as metrics, so Prometheus can alert on a service that runs (<c>up</c> is 1) but cannot do its job:
/// <c>logbus_ready</c> is 1 while every readiness check passes, <c>logbus_health_check_status{check}</c> is 1 per
/// passing check. The health-check service runs the readiness checks on its own schedule and hands the report here.
/// </summary>
public sealed class ReadinessMetricsPublisher : IHealthCheckPublisher
{
    /// <summary>How often readiness is measured for the metrics; well under the alert's window.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private static readonly Gauge Ready = Metrics.CreateGauge("logbus_ready", "1 while every dependency this service needs answers (what /health/ready says), else 0.");

    private static readonly Gauge Checks = Metrics.CreateGauge("logbus_health_check_status", "1 while the readiness check passes (healthy or degraded), else 0.", "check");

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        Ready.Set(report.Status == HealthStatus.Unhealthy ? 0 : 1);
        foreach (var (name, entry) in report.Entries)
        {
            Checks.WithLabels(name).Set(entry.Status == HealthStatus.Unhealthy ? 0 : 1);
        }

        return Task.CompletedTask;
    }
}
