using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.ServiceDefaults.Health;

/// <summary>Registers the dependency checks behind <c>/health/ready</c> and the seed's health routes.</summary>
public static class HealthChecksBuilderExtensions
{
    /// <summary>Checks tagged with this take part in readiness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Each probe gets this long; a dependency slower than that counts as unreachable.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static IHealthChecksBuilder AddPostgreSql(this IHealthChecksBuilder builder, HealthStatus failureStatus = HealthStatus.Unhealthy) =>
        builder.Add(new HealthCheckRegistration("postgresql",
            sp => ActivatorUtilities.CreateInstance<NpgsqlHealthCheck>(sp), failureStatus, [ReadyTag], ProbeTimeout));

    public static IHealthChecksBuilder AddRedis(this IHealthChecksBuilder builder, HealthStatus failureStatus = HealthStatus.Unhealthy) =>
        builder.Add(new HealthCheckRegistration("redis",
            sp => ActivatorUtilities.CreateInstance<RedisHealthCheck>(sp), failureStatus, [ReadyTag], ProbeTimeout));

    /// <summary>Kafka reachability; the bootstrap servers come from <c>Kafka:BootstrapServers</c>.</summary>
    public static IHealthChecksBuilder AddKafka(this IHealthChecksBuilder builder, string bootstrapServers, HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        builder.Services.AddSingleton(new KafkaHealthCheck.AdminClientHolder(bootstrapServers));
        return builder.Add(new HealthCheckRegistration("kafka",
            sp => ActivatorUtilities.CreateInstance<KafkaHealthCheck>(sp), failureStatus, [ReadyTag], ProbeTimeout));
    }
}
