using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Logbus.Specs.Infrastructure;

/// <summary>A Logbus service hosted in the spec's process with its real <c>Program</c>, pointed at the spec's servers.</summary>
internal sealed class ServiceFactory<TProgram>(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TProgram>
    where TProgram : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Specs");
        builder.UseSetting("Logging:Console:Format", "json");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>The settings every service needs, for a spec's database and the shared (or given) servers.</summary>
internal static class ServiceSettings
{
    public static Dictionary<string, string?> For(SpecDatabase db, string? kafkaBootstrap = null, string? redis = null) => new()
    {
        ["ConnectionStrings:Logbus"] = db.ConnectionString,
        ["ConnectionStrings:Redis"] = redis ?? SharedServers.Redis.ConnectionString,
        ["Kafka:BootstrapServers"] = kafkaBootstrap ?? SharedServers.Kafka.BootstrapServers,
    };

    /// <summary>A copy of <paramref name="common"/> with <paramref name="settings"/> added or replaced.</summary>
    public static Dictionary<string, string?> With(Dictionary<string, string?> common, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(common);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }
}
