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
using Microsoft.Extensions.Options;

namespace Logbus.Worker.Messaging;

internal static class WorkerMessaging
{
    /// <summary>
    /// The Kafka rider with the Worker's topic endpoints (storing, and the import saga with its watchdog), the inbox and
    /// consumer outbox on the Logbus database, and the circuit breaker around PostgreSQL. MassTransit needs a bus
    /// transport; the in-memory one carries nothing of Logbus's.
    /// </summary>
    public static IHostApplicationBuilder AddWorkerMessaging(this IHostApplicationBuilder builder)
    {
        var bootstrapServers = builder.Configuration.GetKafkaBootstrapServers();
        builder.Services.AddValidatedOptions<TopicOptions>(TopicOptions.Section);
        builder.Services.AddValidatedOptions<KafkaConsumingOptions>(KafkaConsumingOptions.Section);
        builder.Services.AddValidatedOptions<StoringOptions>(StoringOptions.Section);
        builder.Services.AddValidatedOptions<ImportOptions>(ImportOptions.Section);
        builder.Services.AddHostedService<ImportWatchdog>();
        builder.Services.AddCircuitBreaker(PostgresOutage.Dependency, PostgresOutage.IsOutage);
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit 8.4+ reports the bus's configuration to its authors' server after start unless told not to: a
            // log pipeline sends nothing anywhere its operator did not configure.
            x.DisableUsageTelemetry();
            x.AddPgOutbox<LogbusDbContext>();
            x.AddRider(rider =>
            {
                rider.AddConsumer<LogEventsAcceptedConsumer>();
                rider.AddSagaStateMachine<ImportStateMachine, ImportState>()
                    .PgRepository(r => r.UseDbContext<LogbusDbContext>().Concurrency(ConcurrencyMode.Pessimistic));
                rider.AddProducer<ImportStalled>(sp => sp.GetRequiredService<IOptions<TopicOptions>>().Value.Imports, m => m.ImportId.ToString());
                rider.UsingKafka((context, kafka) =>
                {
                    var topics = context.GetRequiredService<IOptions<TopicOptions>>().Value;
                    var storing = context.GetRequiredService<IOptions<StoringOptions>>().Value;
                    var imports = context.GetRequiredService<IOptions<ImportOptions>>().Value;
                    var consuming = context.GetRequiredService<IOptions<KafkaConsumingOptions>>().Value;
                    // The registration context does not resolve keyed services; the container it wraps does.
                    var postgres = context.GetRequiredService<IServiceProvider>()
                        .GetRequiredKeyedService<DependencyCircuitBreaker>(PostgresOutage.Dependency);
                    kafka.Host(bootstrapServers);
                    kafka.UnreachableTimeout = consuming.UnreachableTimeout;
                    kafka.TopicEndpoint<LogEventsAccepted>(topics.LogEvents, storing.ConsumerGroup,
                        endpoint => StoreLogEventsEndpoint.Configure(endpoint, context, storing, topics, postgres));
                    kafka.TopicEndpoint<ImportStarted>(topics.Imports, imports.ConsumerGroup,
                        endpoint => ImportSagaEndpoint.Configure(endpoint, context, imports));
                });
            });
            x.UsingInMemory();
        });
        return builder;
    }
}
