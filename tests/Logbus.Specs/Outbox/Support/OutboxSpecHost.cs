using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Logbus.Specs.Outbox.Support;

/// <summary>
/// One "process" of a spec: a generic host with the spec DbContext on the spec database and MassTransit on the in-memory
/// transport (each host its own bus, so several hosts are several processes that share only the database).
/// </summary>
internal sealed class OutboxSpecHost : IAsyncDisposable
{
    private readonly IHost _host;

    private OutboxSpecHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<OutboxSpecHost> StartAsync(
        SpecDatabase db,
        SpecProbe probe,
        Action<IBusRegistrationConfigurator> register,
        Action<IBusRegistrationContext, IInMemoryBusFactoryConfigurator> configureBus,
        Action<IServiceCollection>? services = null,
        string name = "outbox-spec")
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Specs", DisableDefaults = true });
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            // Conflicts and duplicate keys are expected here, and EF logs each as an error.
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create($"{db.ConnectionString};Maximum Pool Size=40;Application Name={name}"));
        builder.Services.AddDbContext<OutboxSpecDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Services.AddMassTransit(x =>
        {
            register(x);
            x.UsingInMemory(configureBus);
        });
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new OutboxSpecHost(host);
    }

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>Runs <paramref name="work"/> in a scope of its own, as a web request would.</summary>
    public async Task InScopeAsync(Func<IServiceProvider, Task> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            await ((IAsyncDisposable)_host).DisposeAsync();
        }
    }
}
