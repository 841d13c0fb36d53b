using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;

namespace Logbus.Worker.Health;

internal static class WorkerHealthChecks
{
    /// <summary>The Worker needs both ends of its job: Kafka to consume from, PostgreSQL to store into.</summary>
    public static IHostApplicationBuilder AddWorkerHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddKafka(builder.Configuration.GetKafkaBootstrapServers());
        return builder;
    }
}
