using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.Messaging.Kafka.Health;

/// <summary>
/// Readiness of the Kafka rider: unhealthy while the rider is not running or once the brokers have been unreachable
/// for longer than <c>UnreachableTimeout</c>; healthy again as soon as they answer.
/// </summary>
internal sealed class KafkaRiderHealthCheck(KafkaRiderAccessor rider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (rider.Rider is not { } kafka)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "The Kafka rider has not been created."));
        }

        var state = kafka.Connectivity.Snapshot;
        var data = new Dictionary<string, object>
        {
            ["running"] = state.IsRunning,
            ["unreachableSince"] = state.UnreachableSince?.ToString("O") ?? "",
        };
        if (state.IsReady)
        {
            return Task.FromResult(state.UnreachableSince is null
                ? HealthCheckResult.Healthy("Kafka reachable", data)
                : HealthCheckResult.Healthy($"Kafka unreachable since {state.UnreachableSince:O}, within the allowed time", data));
        }

        var description = state.IsRunning
            ? $"Kafka unreachable since {state.UnreachableSince:O}: {state.LastError}"
            : "The Kafka rider is not running.";
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, description, data: data));
    }
}
