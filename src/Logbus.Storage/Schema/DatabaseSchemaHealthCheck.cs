using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.Storage.Schema;

/// <summary>Not ready until this process has seen the schema migrated.</summary>
public sealed class DatabaseSchemaHealthCheck(DatabaseSchemaState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsReady
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"The database schema is not migrated yet: {state.LastError ?? "migrating"}"));
}
