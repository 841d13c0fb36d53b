using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage.Resilience;
using Npgsql;

namespace Logbus.Query.Database;

/// <summary>
/// Every read of the Query service goes through here: a pooled connection, behind the circuit breaker around
/// PostgreSQL, so an outage answers 503 with Retry-After at once instead of timing out request after request. The
/// connections come from <see cref="QueryDataSource"/>, whose sessions cancel a statement that runs past
/// <see cref="SearchLimitsOptions.StatementTimeout"/>; such a read is the search's problem, not an outage, and does not
/// count towards opening the circuit.
/// </summary>
public sealed class QueryDatabase(QueryDataSource dataSource, [FromKeyedServices(PostgresOutage.Dependency)] DependencyCircuitBreaker breaker)
{
    public ValueTask<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        breaker.ExecuteAsync(async token =>
        {
            try
            {
                await using var connection = await dataSource.Reads.OpenConnectionAsync(token);
                return await read(connection, token);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !token.IsCancellationRequested)
            {
                throw new SearchTimedOutException(dataSource.StatementTimeout);
            }
        }, cancellationToken);
}
