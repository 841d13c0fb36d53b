using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Logbus.Storage.Health;

/// <summary>PostgreSQL answers a trivial query through the service's own data source (and so its pool).</summary>
public sealed class NpgsqlHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    /// <summary>A database slower than this to answer <c>SELECT 1</c> counts as unreachable.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            var target = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"PostgreSQL is unreachable at {target.Host}:{target.Port}: {e.Message}", e);
        }
    }
}
