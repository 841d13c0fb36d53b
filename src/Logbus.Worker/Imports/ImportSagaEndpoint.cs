using Logbus.Messaging.Kafka.Configuration;
using Logbus.Storage;
using Logbus.Storage.Imports;
using MassTransit;
using Npgsql;

namespace Logbus.Worker.Imports;

/// <summary>
/// The topic endpoint of the import saga. Import messages are keyed by import id, but the saga does not rely on their
/// order: transient PostgreSQL failures and lost races (two messages creating the same import) are retried, the
/// repository locks the row, and the inbox makes a redelivered message count once.
/// </summary>
public static class ImportSagaEndpoint
{
    public static void Configure(IKafkaTopicReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<NpgsqlException>(e => e.IsTransient);
            retry.Handle<TimeoutException>();
            retry.Handle<MassTransit.ConcurrencyException>();
            retry.Handle<Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException>();
            // Two first messages of an import on different partitions both create it; the loser finds it on retry.
            retry.Handle<Microsoft.EntityFrameworkCore.DbUpdateException>(e => e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation });
            retry.Exponential(100, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        });
        endpoint.UsePgOutbox<LogbusDbContext>(context);
        endpoint.ConfigureSaga<ImportState>(context);
    }
}
