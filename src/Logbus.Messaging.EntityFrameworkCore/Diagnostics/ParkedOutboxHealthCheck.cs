using System.Globalization;
using Logbus.Messaging.EntityFrameworkCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.Messaging.EntityFrameworkCore.Diagnostics;

/// <summary>
/// Degraded while <c>outbox_parked</c> holds messages, naming how many and why: the service works, but some messages
/// it accepted will not reach the transport until someone acts. Healthy when there are none.
/// </summary>
public sealed class ParkedOutboxHealthCheck<TDbContext>(IServiceScopeFactory scopes) : IHealthCheck
    where TDbContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tables = MessagingTables.For(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = PgCommands.Create(db, $"SELECT reason, count(*) FROM {tables.Parked} GROUP BY reason ORDER BY reason");
        var byReason = new Dictionary<string, object>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                byReason[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        if (byReason.Count == 0)
        {
            return HealthCheckResult.Healthy("No outbox message is parked.");
        }

        var total = byReason.Values.Sum(v => (long)v);
        var reasons = string.Join(", ", byReason.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")));
        return HealthCheckResult.Degraded(
            $"{total} outbox message(s) can never be delivered and are parked in {tables.Parked} ({reasons}).", data: byReason);
    }
}
