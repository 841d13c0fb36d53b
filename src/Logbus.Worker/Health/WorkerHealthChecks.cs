using Logbus.Messaging.Kafka.Health;

namespace Logbus.Worker.Health;

internal static class WorkerHealthChecks
{
    /// <summary>
    /// The Worker needs both ends of its job: PostgreSQL to store into (registered with storage) and Kafka to consume
    /// from, as the rider sees it (not ready once the broker has been unreachable for a while).
    /// </summary>
    public static IHostApplicationBuilder AddWorkerHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddKafkaRider("kafka", ["ready"]);
        return builder;
    }
}
