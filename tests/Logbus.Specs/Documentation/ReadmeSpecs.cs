extern alias api;
extern alias query;
extern alias worker;

using System.Text.RegularExpressions;
using Logbus.Specs.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Specs.Documentation;

/// <summary>
/// The README's claims a newcomer acts on: every route it names is mapped by the service it names, and the indexes it
/// says <c>log_events</c> has are the ones the migrations build.
/// </summary>
[Trait("Kind", "Integration")]
public sealed partial class ReadmeSpecs
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

    [Fact]
    public async Task Every_route_the_README_names_is_mapped_by_its_service()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var settings = ServiceSettings.For(db);
        await using var api = new ServiceFactory<api::Program>(settings);
        await using var worker = new ServiceFactory<worker::Program>(settings);
        await using var query = new ServiceFactory<query::Program>(settings);
        var mapped = new Dictionary<string, HashSet<string>>
        {
            [":8081"] = Routes(api),
            [":8082"] = Routes(worker),
            [":8080"] = Routes(query),
        };

        var named = RouteMention().Matches(Readme)
            .Select(m => (Method: m.Groups["method"].Value, Port: m.Groups["port"].Value, Path: Normalize(m.Groups["path"].Value)))
            .Distinct()
            .ToList();

        Assert.True(named.Count >= 15, $"the README names only {named.Count} routes; did the pattern stop matching?");
        var missing = named
            .Where(r => r.Port.Length > 0
                ? !mapped[r.Port].Contains($"{r.Method} {r.Path}")
                : !mapped.Values.Any(routes => routes.Contains($"{r.Method} {r.Path}")))
            .Select(r => $"{r.Method} {r.Port}{r.Path}")
            .ToList();
        Assert.True(missing.Count == 0, "The README names routes no service maps: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task The_indexes_the_README_names_are_the_ones_log_events_has()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var actual = new HashSet<string>();
        await using (var command = db.DataSource.CreateCommand("SELECT indexname FROM pg_indexes WHERE tablename = 'log_events'"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                actual.Add(reader.GetString(0));
            }
        }

        var named = IndexMention().Matches(Readme).Select(m => m.Value).ToHashSet();

        Assert.NotEmpty(actual);
        Assert.Equal(actual.Order(), named.Order());
    }

    private static HashSet<string> Routes<T>(WebApplicationFactory<T> factory)
        where T : class =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => $"{method} {Normalize("/" + e.RoutePattern.RawText?.TrimStart('/'))}"))
            .ToHashSet();

    /// <summary>Parameters read alike whatever their names or constraints, and a trailing slash does not count.</summary>
    private static string Normalize(string path)
    {
        var bare = path.Split('?')[0];
        var normalized = RouteParameter().Replace(bare, "{}");
        return normalized.Length > 1 ? normalized.TrimEnd('/') : normalized;
    }

    // `GET /api/query/logs`, `POST :8081/producer/api/logs/ingest`, `GET /api/query/stats?hoursBack=24`
    [GeneratedRegex(@"`(?<method>GET|POST|PUT|DELETE|PATCH) (?<port>:\d{4})?(?<path>/[^`\s]*)`")]
    private static partial Regex RouteMention();

    // `{id}`, `{partition}-{offset}` and the README's `<id>` all stand for one route parameter.
    [GeneratedRegex(@"(\{[^}]*\}|<[^>]*>)(-(\{[^}]*\}|<[^>]*>))*")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"\b(ix|pk)_log_events\w*")]
    private static partial Regex IndexMention();
}
