using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage.Resilience;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Query.Database;

/// <summary>
/// Every read of the Query service goes through here: a pooled connection, behind the circuit breaker around
/// PostgreSQL, so an outage answers 503 with Retry-After at once instead of timing out request after request. The
/// connections come from <see cref="QueryDataSource"/>, whose sessions cancel a statement that runs past
/// <see cref="SearchLimitsOptions.StatementTimeout"/>, and at most <see cref="SearchLimitsOptions.MaxConcurrentReads"/>
/// run at once, so slow searches queue here instead of exhausting the pool (which would look like an outage and open the
/// circuit for every caller). A read refused or cut off by these limits is the search's problem and does not count
/// towards opening the circuit.
/// </summary>
public sealed class QueryDatabase(QueryDataSource dataSource, IOptions<SearchLimitsOptions> options,
    [FromKeyedServices(PostgresOutage.Dependency)] DependencyCircuitBreaker breaker)
{
    private readonly SearchLimitsOptions _limits = options.Value;
    private readonly SemaphoreSlim _reads = new(options.Value.MaxConcurrentReads, options.Value.MaxConcurrentReads);

    public async ValueTask<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        if (!await _reads.WaitAsync(_limits.QueueTimeout, cancellationToken))
        {
            throw new QueryBusyException(_limits.MaxConcurrentReads, _limits.QueueTimeout);
        }

        try
        {
            return await breaker.ExecuteAsync(async token =>
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
        finally
        {
            _reads.Release();
        }
    }
}
