using Logbus.Messaging.EntityFrameworkCore.Model;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Storage;
using Logbus.Storage.Imports;
using Logbus.Worker.Messaging;
using MassTransit;

namespace Logbus.Worker.Imports;

/// <summary>
/// The topic endpoint of the import saga. Import messages are keyed by import id, but the saga does not rely on their
/// order: transient PostgreSQL failures and lost races (two messages creating the same import) are retried, the
/// repository locks the row, and the inbox makes a redelivered message count once.
/// </summary>
public static class ImportSagaEndpoint
{
    public static void Configure(IKafkaTopicReceiveEndpointConfigurator endpoint, IRegistrationContext context, ImportOptions options)
    {
        endpoint.SessionTimeout = options.SessionTimeout;
        endpoint.UseMessageRetry(retry =>
        {
            retry.HandlePostgresOutages();
            // Lost races, e.g. two first messages of an import both creating it: the loser finds it on retry.
            retry.Handle<Exception>(PgErrors.IsConflict);
            retry.Handle<ConcurrencyException>();
            retry.Exponential(100, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        });
        endpoint.UsePgOutbox<LogbusDbContext>(context);
        endpoint.ConfigureSaga<ImportState>(context);
    }
}
