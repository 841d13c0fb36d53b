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
}
