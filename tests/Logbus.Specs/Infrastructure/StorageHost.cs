using Logbus.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Logbus.Specs.Infrastructure;

/// <summary>The storage services exactly as a Logbus service registers them, pointed at a spec's database.</summary>
internal static class StorageHost
{
    public static IHost Build(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Specs" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Logbus"] = connectionString,
            ["Storage:MigrateOnStartup"] = "false",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddLogbusStorage();
        return builder.Build();
    }
}
