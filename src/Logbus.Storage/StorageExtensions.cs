using Logbus.Storage.Health;
using Logbus.Storage.Imports;
using Logbus.Storage.Partitions;
using Logbus.Storage.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Storage;

public static class StorageExtensions
{
    public const string ConnectionStringName = "Logbus";

    /// <summary>
    /// The tag of the checks a service's readiness (<c>/health/ready</c>) is made of. Storage knows no HTTP and so not
    /// the service defaults that serve it; it tags its checks the same way Logbus.Messaging.Kafka does.
    /// </summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// The Logbus database for a service: one <see cref="NpgsqlDataSource"/> with explicit pool limits, the
    /// <see cref="LogbusDbContext"/> on it, schema migration at start-up (unless switched off) and the readiness checks
    /// of PostgreSQL and of the schema.
    /// </summary>
    public static IHostApplicationBuilder AddLogbusStorage(this IHostApplicationBuilder builder)
    {
        // Bound the way the services bind theirs (AddValidatedOptions in Logbus.ServiceDefaults, which Storage does not know).
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LogEventPartitionOptions>().BindConfiguration(LogEventPartitionOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Set ConnectionStrings__{ConnectionStringName}, or start the local stack " +
                    "with ./logbus stack and use the settings it prints.");

        builder.Services.AddSingleton(sp => BuildDataSource(connectionString, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        builder.Services.AddDbContext<LogbusDbContext>((sp, db) => db.UseLogbusNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton<LogEventPartitions>();
        builder.Services.AddScoped<ImportStatusStore>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<DatabaseSchemaState>();
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("postgresql",
                sp => ActivatorUtilities.CreateInstance<NpgsqlHealthCheck>(sp), HealthStatus.Unhealthy, [ReadyTag], NpgsqlHealthCheck.ProbeTimeout))
            .Add(new HealthCheckRegistration("database-schema",
                sp => ActivatorUtilities.CreateInstance<DatabaseSchemaHealthCheck>(sp), HealthStatus.Unhealthy, [ReadyTag]));
        builder.Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.MigrateOnStartup
            ? ActivatorUtilities.CreateInstance<DatabaseMigrationService>(sp)
            : ActivatorUtilities.CreateInstance<DatabaseSchemaCheckService>(sp));

        return builder;
    }

    /// <summary>Runs the partition maintenance in this process (the Worker does; one process is enough).</summary>
    public static IHostApplicationBuilder AddLogEventPartitionMaintenance(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<PartitionMaintenanceService>();
        return builder;
    }

    /// <summary>Points a context at the Logbus database with the project's migration settings.</summary>
    public static DbContextOptionsBuilder UseLogbusNpgsql(this DbContextOptionsBuilder db, NpgsqlDataSource dataSource) =>
        db.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable(LogbusDbContext.MigrationsHistoryTable));

    /// <summary>
    /// A data source whose pool limits and GIN pending list come from <see cref="StorageOptions"/> unless the connection
    /// string sets them, named <paramref name="name"/> in metrics and traces.
    /// </summary>
    public static NpgsqlDataSource BuildDataSource(string connectionString, StorageOptions options, string name = "logbus")
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringKeys(connectionString);
        if (!given.Has("Maximum Pool Size", "MaxPoolSize", "Max Pool Size"))
        {
            csb.MaxPoolSize = options.MaxPoolSize;
        }

        if (!given.Has("Timeout"))
        {
            csb.Timeout = options.ConnectionTimeoutSeconds;
        }

        if (!given.Has("Command Timeout", "CommandTimeout"))
        {
            csb.CommandTimeout = options.CommandTimeoutSeconds;
        }

        if (!given.Has("No Reset On Close", "NoResetOnClose"))
        {
            // Logbus keeps no session state a later user could trip over (settings are SET LOCAL, locks are released,
            // the outbox listener unlistens), except the Worker's staging table, which is worth keeping: with a reset,
            // every return to the pool costs a DISCARD ALL and the next chunk creates the table again.
            csb.NoResetOnClose = true;
        }

        if (csb.Options?.Contains("gin_pending_list_limit", StringComparison.OrdinalIgnoreCase) != true)
        {
            // A session setting rather than the indexes' own: a partitioned index takes no ALTER INDEX … SET, and the
            // daily partitions would not inherit it.
            csb.Options = $"{csb.Options} -c gin_pending_list_limit={options.GinPendingListKilobytes}".Trim();
        }

        var dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString)
        {
            // Metrics and traces label a pool by this name. Unnamed, Npgsql uses the connection string: host list,
            // database and user on every /metrics scrape.
            Name = name,
        };
        return dataSource.Build();
    }

    private sealed class DbConnectionStringKeys(string connectionString)
    {
        private readonly HashSet<string> _keys = connectionString
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2)[0].Trim())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        public bool Has(params string[] names) => names.Any(_keys.Contains);
    }
}
