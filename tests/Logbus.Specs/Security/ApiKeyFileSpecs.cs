using Logbus.ServiceDefaults.Security;
using Logbus.Specs.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Logbus.Specs.Security;

/// <summary>The key model itself: keys from configuration and from the key file, which is followed as it changes.</summary>
[Trait("Kind", "Unit")]
public sealed class ApiKeyFileSpecs
{
    [Fact]
    public async Task A_key_added_to_the_key_file_is_accepted_and_a_removed_one_refused_without_a_restart()
    {
        using var folder = new TemporaryFolder();
        var file = Path.Combine(folder.Path, "keys.json");
        await File.WriteAllTextAsync(file, FileWith(("first", "first-secret")));
        using var keys = Keys(new() { ["ApiKeys:File"] = file, ["ApiKeys:Keys:0:Name"] = "configured",
            ["ApiKeys:Keys:0:Sha256"] = KeySettings.Hash("configured-secret") });

        Assert.Equal("first", Identify(keys, "first-secret")?.Name);
        Assert.Null(Identify(keys, "second-secret"));

        await File.WriteAllTextAsync(file, FileWith(("second", "second-secret")));

        await Eventually.TrueAsync(() => Task.FromResult(Identify(keys, "second-secret")?.Name == "second"), TimeSpan.FromSeconds(20),
            "the key added to the file is accepted");
        Assert.Null(Identify(keys, "first-secret"));
        Assert.Equal("configured", Identify(keys, "configured-secret")?.Name);
    }

    [Fact]
    public async Task A_key_file_replaced_by_a_rename_is_followed_as_the_keys_command_replaces_it()
    {
        using var folder = new TemporaryFolder();
        var file = Path.Combine(folder.Path, "keys.json");
        await File.WriteAllTextAsync(file, FileWith(("first", "first-secret")));
        using var keys = Keys(new() { ["ApiKeys:File"] = file });
        Assert.Equal("first", Identify(keys, "first-secret")?.Name);

        var written = file + ".tmp";
        await File.WriteAllTextAsync(written, FileWith(("second", "second-secret")));
        File.Move(written, file, overwrite: true);

        await Eventually.TrueAsync(() => Task.FromResult(Identify(keys, "second-secret")?.Name == "second"), TimeSpan.FromSeconds(20),
            "the key of the file renamed over the old one is accepted");
        Assert.Null(Identify(keys, "first-secret"));
    }

    // The local stack keeps PostgreSQL's data and the services' logs in folders below the key file's: a watch over every
    // folder below it woke each service on every write the database made.
    [Fact]
    public async Task The_key_file_is_watched_in_its_own_folder_and_not_in_the_folders_below_it()
    {
        using var folder = new TemporaryFolder();
        var below = Enumerable.Range(0, 5).Select(i => Directory.CreateDirectory(Path.Combine(folder.Path, $"data{i}", "deeper")))
            .SelectMany(d => new[] { d, d.Parent! }).ToList();
        var file = Path.Combine(folder.Path, "keys.json");
        await File.WriteAllTextAsync(file, FileWith(("first", "first-secret")));

        using var keys = Keys(new() { ["ApiKeys:File"] = file });

        var watched = InotifyWatches.OfThisProcess();
        Assert.Contains(await InotifyWatches.InodeOfAsync(folder.Path), watched);
        foreach (var directory in below)
        {
            Assert.DoesNotContain(await InotifyWatches.InodeOfAsync(directory.FullName), watched);
        }
    }

    [Fact]
    public void Open_mode_ignores_a_presented_key_and_null_or_blank_count_as_none()
    {
        using var open = Keys([]);
        using var closed = Keys(new() { ["ApiKeys:Keys:0:Name"] = "k", ["ApiKeys:Keys:0:Sha256"] = KeySettings.Hash("null") });

        Assert.False(open.Required);
        Assert.Null(open.Identify(Request("anything"), out var presented));
        Assert.True(presented);
        Assert.Null(closed.Identify(Request("null"), out var nullPresented));
        Assert.False(nullPresented);
        Assert.Null(closed.Identify(Request(" "), out var blankPresented));
        Assert.False(blankPresented);
    }

    [Fact]
    public void A_key_without_scopes_is_an_ingest_key_as_before_scopes_existed_and_its_sources_are_globs()
    {
        using var keys = Keys(new()
        {
            ["ApiKeys:Keys:0:Name"] = "old", ["ApiKeys:Keys:0:Sha256"] = KeySettings.Hash("old-secret"),
            ["ApiKeys:Keys:1:Name"] = "team", ["ApiKeys:Keys:1:Sha256"] = KeySettings.Hash("team-secret"),
            ["ApiKeys:Keys:1:Scopes:0"] = "read", ["ApiKeys:Keys:1:Sources:0"] = "orders-*", ["ApiKeys:Keys:1:Sources:1"] = "pay?",
        });

        Assert.Equal(["ingest"], Identify(keys, "old-secret")!.Scopes);
        var team = Identify(keys, "team-secret")!;
        Assert.True(team.Has("read"));
        Assert.False(team.Has("ingest"));
        Assert.True(team.Covers("orders-api"));
        Assert.True(team.Covers("pays"));
        Assert.False(team.Covers("pay"));
        Assert.False(team.Covers("billing-orders-api"));
        Assert.Equal("orders\\_db-%", SourceGlob.ToLike("orders_db-*"));
    }

    [Fact]
    public void A_configured_key_that_cannot_be_used_stops_the_start_naming_it()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(Configuration(new()
        {
            ["ApiKeys:Keys:0:Name"] = "typo", ["ApiKeys:Keys:0:Sha256"] = KeySettings.Hash("x"), ["ApiKeys:Keys:0:Scopes:0"] = "reed",
        }));
        using var provider = services.AddApiKeys().BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiKeyOptions>>().Value);
        Assert.Contains("'reed'", error.Message, StringComparison.Ordinal);
    }

    private sealed class TemporaryFolder : IDisposable
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("logbus-keys-");

        public string Path => _folder.FullName;

        public void Dispose() => _folder.Delete(recursive: true);
    }

    private static ApiKeys Keys(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection().AddSingleton<IConfiguration>(Configuration(settings)).AddLogging();
        var provider = services.AddApiKeys().BuildServiceProvider();
        return new ApiKeys(provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ApiKeyOptions>>(),
            NullLogger<ApiKeys>.Instance);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static ApiKeyIdentity? Identify(ApiKeys keys, string key) => keys.Identify(Request(key), out _);

    private static DefaultHttpContext Request(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Api-Key"] = key;
        return context;
    }

    private static string FileWith(params (string Name, string Key)[] keys) =>
        "{\"Keys\": [" + string.Join(",", keys.Select(k =>
            $$"""{"Name":"{{k.Name}}","Sha256":"{{KeySettings.Hash(k.Key)}}","Scopes":["read"]}""")) + "]}";
}
