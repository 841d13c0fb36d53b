extern alias api;
extern alias worker;

using Logbus.Specs.Infrastructure;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Security;

/// <summary>
/// MassTransit 8.4+ reports a bus's configuration (endpoints, consumers, host) to its authors' server a while after start
/// unless told not to. A service that holds other people's logs sends nothing anywhere its operator did not configure.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class UsageTelemetrySpecs
{
    [Fact]
    public async Task Neither_the_Api_nor_the_Worker_reports_usage_telemetry_to_MassTransit()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var settings = ServiceSettings.For(db);
        await using var api = new ServiceFactory<api::Program>(settings);
        await using var worker = new ServiceFactory<worker::Program>(settings);

        foreach (var (name, services) in new (string, IServiceProvider)[] { ("Api", Services(api)), ("Worker", Services(worker)) })
        {
            var options = services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;
            Assert.False(options.Enabled, $"the {name} would report MassTransit usage telemetry");
        }
    }

    private static IServiceProvider Services<T>(WebApplicationFactory<T> factory)
        where T : class => factory.Services;
}
