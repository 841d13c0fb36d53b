using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage.Resilience;
using Npgsql;

namespace Logbus.Query.Database;

/// <summary>
/// Every read of the Query service goes through here: a pooled connection, behind the circuit breaker around
/// PostgreSQL, so an outage answers 503 with Retry-After at once instead of timing out request after request.
/// </summary>
public sealed class QueryDatabase(NpgsqlDataSource dataSource, [FromKeyedServices(PostgresOutage.Dependency)] DependencyCircuitBreaker breaker)
{
    public ValueTask<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        breaker.ExecuteAsync(async token =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            return await read(connection, token);
        }, cancellationToken);
}
