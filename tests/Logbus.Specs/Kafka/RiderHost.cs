using Xunit.Abstractions;
using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Logbus.Specs.Kafka;

/// <summary>A bus with an in-memory transport and a Kafka rider, built the way an application builds it, for one spec.</summary>
internal sealed class RiderHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly bool _harness;
    private bool _stopped;

    private RiderHost(ServiceProvider services, bool harness)
    {
        _services = services;
        _harness = harness;
    }

    public IServiceProvider Services => _services;

    public IBusControl Bus => _services.GetRequiredService<IBusControl>();

    public IKafkaRider Rider => _services.GetRequiredService<IKafkaRider>();

    public ITestHarness Harness => _services.GetRequiredService<ITestHarness>();

    /// <summary>Builds and starts a bus; with <paramref name="harness"/> it is MassTransit's test harness bus.</summary>
    public static async Task<RiderHost> StartAsync(ITestOutputHelper? output, Action<IRiderRegistrationConfigurator> configureRider,
        bool harness = false, Action<IServiceCollection>? configureServices = null, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        // MassTransit keeps its log context in an AsyncLocal; one left by an earlier host of this spec would point at a
        // disposed logger factory.
        LogContext.Current = null;
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            if (output is not null)
            {
                // LOGBUS_SPEC_LOG=Debug shows what the rider does, when a spec needs explaining.
                var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("LOGBUS_SPEC_LOG"), out var configured) ? configured
                    : LogLevel.Warning;
                logging.AddProvider(new TestOutputLoggerProvider(output, level));
            }
        });
        configureServices?.Invoke(services);

        void Configure(IBusRegistrationConfigurator x)
        {
            configureBus?.Invoke(x);
            x.AddRider(configureRider);
            if (!harness)
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        }

        if (harness)
        {
            services.AddMassTransitTestHarness(Configure);
        }
        else
        {
            services.AddMassTransit(Configure);
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        var host = new RiderHost(provider, harness);
        if (harness)
        {
            var testHarness = provider.GetRequiredService<ITestHarness>();
            // A Kafka group join takes seconds; MassTransit's default inactivity timeout is shorter than that.
            testHarness.TestInactivityTimeout = TimeSpan.FromSeconds(10);
            testHarness.TestTimeout = TimeSpan.FromMinutes(2);
            await testHarness.Start();
        }
        else
        {
            await host.Bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }

        return host;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (_harness)
        {
            // The harness started the bus through MassTransit's hosted service; stop it the same way.
            foreach (var service in _services.GetServices<IHostedService>().Reverse())
            {
                await service.StopAsync(cancellationToken);
            }

            return;
        }

        await Bus.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _services.DisposeAsync();
    }
}
