using System.Diagnostics;
using Logbus.ServiceDefaults.Security;
using Logbus.Specs.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Security;

/// <summary><c>./logbus keys add|list|remove</c>, run as a developer runs them, against a key file of the spec's own.</summary>
[Trait("Kind", "Integration")]
public sealed class KeysCommandSpecs
{
    [Fact]
    public async Task Keys_add_prints_a_key_once_stores_only_its_hash_and_the_services_accept_it_until_keys_remove()
    {
        var folder = Directory.CreateTempSubdirectory("logbus-keys-command-");
        try
        {
            var file = Path.Combine(folder.FullName, "api-keys.json");
            var key = (await RunAsync(file, "add", "team-a", "--scopes", "ingest,read", "--sources", "orders-*")).Trim();
            var stored = await File.ReadAllTextAsync(file);
            using var keys = Keys(file);
            var identity = keys.Identify(Request(key), out _);
            var listed = await RunAsync(file, "list");

            Assert.StartsWith("lbk_", key, StringComparison.Ordinal);
            Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
            Assert.Contains(KeySettings.Hash(key), stored, StringComparison.Ordinal);
            Assert.Equal("team-a", identity?.Name);
            Assert.Equal(["ingest", "read"], identity!.Scopes);
            Assert.Equal(["orders-*"], identity.Sources);
            Assert.Contains("team-a  scopes: ingest,read  sources: orders-*", listed, StringComparison.Ordinal);

            await RunAsync(file, "remove", "team-a");

            await Eventually.TrueAsync(() => Task.FromResult(keys.Identify(Request(key), out _) is null), TimeSpan.FromSeconds(20),
                "the removed key is refused");
            Assert.Contains("no API keys", await RunAsync(file, "list"), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<string> RunAsync(string keysFile, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "logbus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["LOGBUS_KEYS_FILE"] = keysFile },
        };
        start.ArgumentList.Add("keys");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"./logbus keys {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }

    private static ApiKeys Keys(string file)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ApiKeys:File"] = file }).Build();
        var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddApiKeys().BuildServiceProvider();
        return new ApiKeys(provider.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>(), NullLogger<ApiKeys>.Instance);
    }

    private static DefaultHttpContext Request(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Api-Key"] = key;
        return context;
    }
}
