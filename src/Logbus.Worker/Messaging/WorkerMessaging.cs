using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage;
using Logbus.Worker.Storing;
using MassTransit;

namespace Logbus.Worker.Messaging;

internal static class WorkerMessaging
{
    /// <summary>
    /// The Kafka rider with the Worker's topic endpoints, the inbox and consumer outbox on the Logbus database, and the
    /// circuit breaker around PostgreSQL. MassTransit needs a bus transport; the in-memory one carries nothing of Logbus's.
    /// </summary>
    public static IHostApplicationBuilder AddWorkerMessaging(this IHostApplicationBuilder builder)
    {
        var bootstrapServers = builder.Configuration.GetKafkaBootstrapServers();
        var section = builder.Configuration.GetSection(StoringOptions.Section);
        var storing = section.Get<StoringOptions>() ?? new StoringOptions();
        builder.Services.Configure<StoringOptions>(section);
        var postgres = new DependencyCircuitBreaker("PostgreSQL", PostgresOutage.IsOutage);
        builder.Services.AddSingleton(postgres);
        builder.Services.AddMassTransit(x =>
        {
            x.AddPgOutbox<LogbusDbContext>();
            x.AddRider(rider =>
            {
                rider.AddConsumer<LogEventsAcceptedConsumer>();
                rider.UsingKafka((context, kafka) =>
                {
                    kafka.Host(bootstrapServers);
                    kafka.TopicEndpoint<LogEventsAccepted>(storing.Topic, storing.ConsumerGroup,
                        endpoint => StoreLogEventsEndpoint.Configure(endpoint, context, storing, postgres));
                });
            });
            x.UsingInMemory();
        });
        return builder;
    }
}
