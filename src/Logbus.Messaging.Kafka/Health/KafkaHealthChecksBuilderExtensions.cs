using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.Messaging.Kafka.Health;

public static class KafkaHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds the Kafka rider's readiness check (tagged <c>ready</c> by default). See <c>UnreachableTimeout</c> in
    /// <see cref="Configuration.IKafkaFactoryConfigurator"/> for when it turns unhealthy.
    /// </summary>
    public static IHealthChecksBuilder AddKafkaRider(this IHealthChecksBuilder builder, string name = "kafka-rider", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<KafkaRiderAccessor>();
        return builder.AddCheck<KafkaRiderHealthCheck>(name, HealthStatus.Unhealthy, tags ?? ["ready"]);
    }

    /// <summary>
    /// Adds a check that a broker at <paramref name="bootstrapServers"/> answers a metadata request, for a process that
    /// produces to Kafka without running the rider's consumers (tagged <c>ready</c> by default).
    /// </summary>
    public static IHealthChecksBuilder AddKafkaBrokers(this IHealthChecksBuilder builder, string bootstrapServers,
        HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null, TimeSpan? timeout = null, string name = "kafka")
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new KafkaBrokerHealthCheck.AdminClientHolder(bootstrapServers));
        return builder.Add(new HealthCheckRegistration(name,
            sp => ActivatorUtilities.CreateInstance<KafkaBrokerHealthCheck>(sp), failureStatus, tags ?? ["ready"], timeout));
    }
}
