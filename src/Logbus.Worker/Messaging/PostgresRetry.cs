using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage.Resilience;
using MassTransit;

namespace Logbus.Worker.Messaging;

internal static class PostgresRetry
{
    /// <summary>
    /// Retries PostgreSQL being unreachable: the breaker's fast failure, or an outage it did not see (while the consume
    /// is being cancelled it passes the error through). A failure of the data itself is not retried.
    /// </summary>
    public static IRetryConfigurator HandlePostgresOutages(this IRetryConfigurator retry)
    {
        retry.Handle<DependencyUnavailableException>();
        retry.Handle<Exception>(PostgresOutage.IsOutage);
        return retry;
    }
}
