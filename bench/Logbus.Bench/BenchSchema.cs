using Logbus.Storage.Partitions;
using Logbus.Storage.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Logbus.Bench;

/// <summary>Logbus's schema in a benchmark's own database, made by the project's own migrator.</summary>
internal static class BenchSchema
{
    /// <summary>
    /// Migrates the database and makes the daily partitions of <c>log_events</c> from <paramref name="first"/> to
    /// <paramref name="last"/>.
    /// </summary>
    public static async Task MigrateAsync(string connectionString, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Logbus"] = connectionString,
            ["Storage:MigrateOnStartup"] = "false",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        Logbus.Storage.StorageExtensions.AddLogbusStorage(builder);
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        await host.Services.GetRequiredService<LogEventPartitions>().EnsureAsync(first, last, cancellationToken);
    }
}
