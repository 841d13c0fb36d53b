using Logbus.Messaging.Kafka.Health;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.Api.Health;

internal static class ApiHealthChecks
{
    /// <summary>
    /// PostgreSQL is required (accepted events are committed there before the answer). Kafka is not: while it is
    /// down the Api keeps accepting into the outbox, so an unreachable broker only degrades the Api.
    /// </summary>
    public static IHostApplicationBuilder AddApiHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddKafkaBrokers(builder.Configuration.GetKafkaBootstrapServers(), HealthStatus.Degraded,
                [HealthChecksBuilderExtensions.ReadyTag], HealthChecksBuilderExtensions.ProbeTimeout);
        return builder;
    }
}
