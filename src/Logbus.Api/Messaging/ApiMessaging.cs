using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults;
using Logbus.Storage;
using MassTransit;

namespace Logbus.Api.Messaging;

internal static class ApiMessaging
{
    /// <summary>
    /// The bus outbox on the Logbus database and the Kafka rider it delivers through: ingest writes outbox rows in its
    /// transaction, and the delivery service produces them to <c>log-events</c> (idempotent, acks=all), however long
    /// Kafka is away. MassTransit needs a bus transport; the in-memory one carries nothing of Logbus's.
    /// </summary>
    public static IHostApplicationBuilder AddApiMessaging(this IHostApplicationBuilder builder)
    {
        var bootstrapServers = builder.Configuration.GetKafkaBootstrapServers();
        builder.Services.AddValidatedOptions<TopicOptions>(TopicOptions.Section);
        builder.Services.AddMassTransit(x =>
        {
            // Messaging:BusOutbox tunes delivery (e.g. DeliveryServiceEnabled=false for an instance that only writes).
            var delivery = builder.Configuration.GetSection("Messaging:BusOutbox");
            x.AddPgOutbox<LogbusDbContext>(o => o.UseBusOutbox(delivery.Bind));
            // Chunks are JSON of up to 1,000 events (~0.5 MB): lz4 shrinks them several times over at little CPU, which
            // also keeps several times more of them within a broker's per-partition retention.
            var compression = builder.Configuration.GetValue("Kafka:Compression", Confluent.Kafka.CompressionType.Lz4);
            x.AddRider(rider => rider.UsingKafka((_, kafka) =>
            {
                kafka.Host(bootstrapServers);
                kafka.ConfigureProducers(p => p.Compression = compression);
            }));
            x.UsingInMemory();
        });
        return builder;
    }
}
