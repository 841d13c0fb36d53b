using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Foundation;

/// <summary>
/// The runtime settings the services are built with (Directory.Build.props), read from the runtimeconfig the specs'
/// process stacks, <c>./logbus up</c> and the benchmarks start them with. bench/README.md has what each was measured to save.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ServiceRuntimeSettingsSpecs
{
    public static TheoryData<string> Services => new() { "Logbus.Api", "Logbus.Worker", "Logbus.Query" };

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_runs_workstation_GC_conserving_memory_and_without_tiered_PGO(string service)
    {
        var settings = RuntimeSettings(service);

        Assert.False(settings.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(7, settings.GetProperty("System.GC.ConserveMemory").GetInt32());
        Assert.False(settings.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    [Fact]
    public void The_Api_lets_idle_thread_pool_workers_sleep_at_once_and_the_Query_keeps_the_runtime_spinning()
    {
        const string spinLimit = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

        Assert.Equal(0, RuntimeSettings("Logbus.Api").GetProperty(spinLimit).GetInt32());
        Assert.False(RuntimeSettings("Logbus.Query").TryGetProperty(spinLimit, out _));
    }

    private static JsonElement RuntimeSettings(string service)
    {
        var path = Path.Combine(RepositoryPaths.Root, "src", service, "bin", RepositoryPaths.Configuration, "net10.0",
            service + ".runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is not built.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
