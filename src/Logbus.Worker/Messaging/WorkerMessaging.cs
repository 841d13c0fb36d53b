using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage;
using Logbus.Storage.Imports;
using Logbus.Storage.Resilience;
using Logbus.Worker.Imports;
using Logbus.Worker.Storing;
using MassTransit;

namespace Logbus.Worker.Messaging;

internal static class WorkerMessaging
{
    /// <summary>
    /// The Kafka rider with the Worker's topic endpoints (storing, and the import saga with its watchdog), the inbox and
    /// consumer outbox on the Logbus database, and the circuit breaker around PostgreSQL. MassTransit needs a bus transport; the in-memory one carries nothing of Logbus's.
    /// </summary>
    public static IHostApplicationBuilder AddWorkerMessaging(this IHostApplicationBuilder builder)
    {
        var bootstrapServers = builder.Configuration.GetKafkaBootstrapServers();
        // The Worker can do nothing without the brokers, so it says so soon: orchestrators and the "not ready" alert
        // should see a Kafka outage within seconds, not after the rider's 30 s default.
        var unreachableTimeout = builder.Configuration.GetValue("Kafka:UnreachableTimeout", TimeSpan.FromSeconds(5));
        var section = builder.Configuration.GetSection(StoringOptions.Section);
        var storing = section.Get<StoringOptions>() ?? new StoringOptions();
        builder.Services.Configure<StoringOptions>(section);
        var imports = builder.Configuration.GetSection(ImportOptions.Section).Get<ImportOptions>() ?? new ImportOptions();
        builder.Services.Configure<ImportOptions>(builder.Configuration.GetSection(ImportOptions.Section));
        builder.Services.AddHostedService<ImportWatchdog>();
        var postgres = new DependencyCircuitBreaker("PostgreSQL", PostgresOutage.IsOutage);
        builder.Services.AddSingleton(postgres);
        builder.Services.AddMassTransit(x =>
        {
            x.AddPgOutbox<LogbusDbContext>();
            x.AddRider(rider =>
            {
                rider.AddConsumer<LogEventsAcceptedConsumer>();
                rider.AddSagaStateMachine<ImportStateMachine, ImportState>()
                    .PgRepository(r => r.UseDbContext<LogbusDbContext>().Concurrency(ConcurrencyMode.Pessimistic));
                rider.AddProducer<ImportStalled>(storing.ProgressTopic, m => m.ImportId.ToString());
                rider.UsingKafka((context, kafka) =>
                {
                    kafka.Host(bootstrapServers);
                    kafka.UnreachableTimeout = unreachableTimeout;
                    kafka.TopicEndpoint<LogEventsAccepted>(storing.Topic, storing.ConsumerGroup,
                        endpoint => StoreLogEventsEndpoint.Configure(endpoint, context, storing, postgres));
                    kafka.TopicEndpoint<ImportStarted>(storing.ProgressTopic, imports.ConsumerGroup,
                        endpoint => ImportSagaEndpoint.Configure(endpoint, context));
                });
            });
            x.UsingInMemory();
        });
        return builder;
    }
}
