using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage;
using Logbus.Storage.Resilience;
using Logbus.Worker.Messaging;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Inbox;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Logbus.Worker.Storing;

/// <summary>
/// The topic endpoint on <c>log-events</c>: retry of transient PostgreSQL failures (exponential with jitter), the
/// PostgreSQL circuit breaker, the store slots that merge waiting records into one transaction
/// (<see cref="MergingStoreFilter"/>), and for the records stored alone the inbox and consumer outbox, then
/// <see cref="LogEventsAcceptedConsumer"/>. A record
/// that fails for any other reason (it cannot be read, or its data breaks a constraint) is not retried: it goes to
/// <c>log-events.dlq</c> with the reason, and the partition moves on.
/// </summary>
public static class StoreLogEventsEndpoint
{
    public static void Configure(IKafkaTopicReceiveEndpointConfigurator endpoint, IRegistrationContext context, StoringOptions options,
        TopicOptions topics, DependencyCircuitBreaker postgres)
    {
        endpoint.ConcurrentDeliveryLimit = options.ConcurrentChunksPerPartition;
        endpoint.SessionTimeout = options.SessionTimeout;
        endpoint.CommitInterval = options.CommitInterval;
        endpoint.ConfigureClient(client => client.QueuedMaxMessagesKbytes = options.FetchQueueKilobytes);
        endpoint.PrefetchBytesPerPartition = options.PrefetchKilobytesPerPartition * 1024L;
        if (options.ReadRecordsDirectly)
        {
            // Each event's metadata is read as a slice of its record, not parsed into a document of its own.
            endpoint.ConfigureRecordJsonOptions(InPlaceJsonTextConverter.AddTo);
        }
        else
        {
            endpoint.UseRawJsonDeserializer(RawSerializerOptions.AddTransportHeaders, isDefault: true);
        }

        endpoint.DeadLetterOnFault(topics.LogEventsDeadLetters);
        endpoint.UseMessageRetry(retry =>
        {
            retry.HandlePostgresOutages();
            retry.Exponential(options.TransientRetryLimit, options.RetryMinInterval, options.RetryMaxInterval, options.RetryMinInterval);
        });
        endpoint.UseFilter(new StoringAttemptMetricsFilter());
        endpoint.UseFilter(new PostgresCircuitFilter(postgres));
        endpoint.UseFilter(new MergingStoreFilter(options, MergedStoreFor(context, options), context.GetRequiredService<IInboxMessageIdProvider>(),
            TopicAddress.For(topics.Imports), context.GetRequiredService<ILoggerFactory>().CreateLogger<MergingStoreFilter>()));
        endpoint.UsePgOutbox<LogbusDbContext>(context);
        endpoint.ConfigureConsumer<LogEventsAcceptedConsumer>(context);
    }

    private static MergedStore MergedStoreFor(IRegistrationContext context, StoringOptions options)
    {
        using var scope = context.GetRequiredService<IServiceScopeFactory>().CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
        var inbox = db.Model.FindEntityType(typeof(InboxState))?.GetSchemaQualifiedTableName()
            ?? throw new InvalidOperationException("The Logbus model has no inbox table.");
        var outbox = db.Model.FindEntityType(typeof(OutboxMessage))?.GetSchemaQualifiedTableName()
            ?? throw new InvalidOperationException("The Logbus model has no outbox table.");
        return new MergedStore(context.GetRequiredService<NpgsqlDataSource>(), inbox, options.CopyDirect,
            context.GetService<MessagingMetrics>(), context.GetRequiredService<ILoggerFactory>().CreateLogger<MergedStore>(),
            context.GetRequiredService<TimeProvider>(), context.GetRequiredService<IServiceScopeFactory>(), outbox);
    }
}
