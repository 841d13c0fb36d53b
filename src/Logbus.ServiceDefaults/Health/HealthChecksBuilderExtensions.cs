using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.ServiceDefaults.Health;

/// <summary>
/// What makes a check part of <c>/health/ready</c>. The checks of a dependency live with the project that knows it
/// (PostgreSQL in Logbus.Storage, Kafka in Logbus.Messaging.Kafka, Redis in Logbus.Query); they tag themselves the same.
/// </summary>
public static class HealthChecksBuilderExtensions
{
    /// <summary>Checks tagged with this take part in readiness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Each probe gets this long; a dependency slower than that counts as unreachable.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A readiness check of type <typeparamref name="T"/>, built from the services, with the shared tag and probe timeout.</summary>
    public static IHealthChecksBuilder AddReadinessCheck<T>(this IHealthChecksBuilder builder, string name,
        HealthStatus failureStatus = HealthStatus.Unhealthy)
        where T : class, IHealthCheck =>
        builder.Add(new HealthCheckRegistration(name, sp => ActivatorUtilities.CreateInstance<T>(sp), failureStatus, [ReadyTag], ProbeTimeout));
}
