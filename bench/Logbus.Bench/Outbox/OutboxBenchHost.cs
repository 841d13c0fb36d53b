using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Logbus.Bench.Outbox;

/// <summary>A host like a Logbus service's: the bench DbContext on the stack's PostgreSQL, MassTransit in memory.</summary>
internal static class OutboxBenchHost
{
    public static async Task<IHost> StartAsync(string connectionString, BenchProbe probe, Action<IBusRegistrationConfigurator> register,
        Action<IBusRegistrationContext, IInMemoryBusFactoryConfigurator> configureBus)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddDbContext<OutboxBenchDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            register(x);
            x.UsingInMemory(configureBus);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Creates the benchmark's schema afresh from its model.</summary>
    public static async Task CreateSchemaAsync(string connectionString)
    {
        await DropSchemaAsync(connectionString);
        await using var db = Open(connectionString);
        await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
    }

    public static async Task DropSchemaAsync(string connectionString)
    {
        await using var db = Open(connectionString);
        await db.Database.ExecuteSqlRawAsync("DROP SCHEMA IF EXISTS " + OutboxBenchDbContext.Schema + " CASCADE");
    }

    /// <summary>Empties the benchmark's tables between measurements, so each starts from the same state.</summary>
    public static async Task TruncateAsync(string connectionString)
    {
        await using var db = Open(connectionString);
        const string schema = OutboxBenchDbContext.Schema;
        await db.Database.ExecuteSqlRawAsync(
            "TRUNCATE " + schema + ".items, " + schema + ".inbox_state, " + schema + ".outbox_state, " + schema + ".outbox_message");
        await db.Database.ExecuteSqlRawAsync("CHECKPOINT");
    }

    private static OutboxBenchDbContext Open(string connectionString) =>
        new(new DbContextOptionsBuilder<OutboxBenchDbContext>().UseNpgsql(connectionString).Options);
}
