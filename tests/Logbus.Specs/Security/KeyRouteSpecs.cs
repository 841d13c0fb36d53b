extern alias api;
extern alias query;
extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Logbus.ServiceDefaults.Security;
using Logbus.Specs.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Specs.Security;

/// <summary>
/// With keys configured, every route of every service, as the running app lists them: no key 401, a key without the
/// route's scope 403, a key with it let through; refused requests change nothing.
/// </summary>
[Trait("Kind", "Integration")]
public sealed partial class KeyRouteSpecs
{
    [Theory]
    [InlineData("api")]
    [InlineData("query")]
    [InlineData("worker")]
    public async Task Every_route_states_which_keys_it_takes_so_a_route_added_without_one_fails_here(string service)
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start(service, KeySettings.For(db));
        using var client = factory.CreateClient();

        var unstated = Routes(factory).Where(e => Rule(e) is null).Select(Describe).ToList();

        Assert.True(unstated.Count == 0, "Routes without a key rule (put RequireKeyScope on their group, or AllowWithoutKey/AsDiagnostics): " +
            string.Join(", ", unstated));
    }

    [Theory]
    [InlineData("api")]
    [InlineData("query")]
    [InlineData("worker")]
    public async Task Every_route_answers_401_without_a_key_403_with_a_key_lacking_its_scope_and_lets_its_scope_through(string service)
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start(service, KeySettings.For(db));
        using var client = factory.CreateClient();
        var before = await StateAsync(db);
        var failures = new List<string>();
        var admitted = new List<(RouteEndpoint Route, string Key)>();

        foreach (var route in Routes(factory))
        {
            var anyOf = Rule(route) switch
            {
                KeyScopeRequirement scope => scope.AnyOf,
                DiagnosticsRoute => [KeyScopes.Admin],
                _ => null,
            };
            if (anyOf is null)
            {
                Expect(route, null, await AnswerAsync(client, route, null), ok: true);
                continue;
            }

            Expect(route, null, await AnswerAsync(client, route, null), HttpStatusCode.Unauthorized);
            Expect(route, "unknown", await AnswerAsync(client, route, "not-a-key-of-ours"), HttpStatusCode.Unauthorized);
            foreach (var (key, name, scope) in KeySettings.Unrestricted.Where(k => !anyOf.Contains(k.Scope)))
            {
                Expect(route, name, await AnswerAsync(client, route, key), HttpStatusCode.Forbidden);
            }

            admitted.Add((route, KeySettings.Unrestricted.First(k => anyOf.Contains(k.Scope)).Key));
        }

        // Every refusal above is behind us: nothing it reached may have changed anything.
        Assert.Equal(before, await StateAsync(db));
        foreach (var (route, key) in admitted)
        {
            Expect(route, "right", await AnswerAsync(client, route, key), ok: true);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        void Expect(RouteEndpoint route, string? key, (HttpStatusCode Status, string Problem) answer, HttpStatusCode? expected = null,
            bool ok = false)
        {
            var status = answer.Status;
            var right = ok ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) : status == expected;
            if (!right)
            {
                failures.Add($"{Describe(route)} ({RuleText(route)}) with {key ?? "no"} key: {(int)status}, expected " +
                    $"{(ok ? "to pass the key check" : expected)} {answer.Problem}");
            }
        }
    }

    [Fact]
    public async Task Refusals_are_ProblemDetails_counted_by_route_and_reason_from_zero()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start("query", KeySettings.For(db));
        using var client = factory.CreateClient();
        using var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", KeySettings.Admin);
        Task<double?> RefusedAsync(string route, string reason) =>
            PrometheusScrape.SumAsync(admin, "logbus_api_key_refusals_total", ("route", route), ("reason", reason));

        // The counters are the process's, shared with other specs: the series must exist from start-up, and move by one.
        Assert.Equal(0, await RefusedAsync("/api/query/sources", "owner"));
        var missingBefore = await RefusedAsync("/api/query/logs", "missing_key");
        var scopeBefore = await RefusedAsync("/api/query/logs", "scope");
        Assert.NotNull(missingBefore);
        Assert.NotNull(scopeBefore);
        using var refused = await client.SendAsync(KeySettings.Request(HttpMethod.Get, "/api/query/logs", null));
        using var wrongScope = await client.SendAsync(KeySettings.Request(HttpMethod.Get, "/api/query/logs", KeySettings.Ingest));

        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("API key required", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Contains("ApiKey", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("scope", (await wrongScope.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(missingBefore + 1, await RefusedAsync("/api/query/logs", "missing_key"));
        Assert.Equal(scopeBefore + 1, await RefusedAsync("/api/query/logs", "scope"));
    }

    [Fact]
    public async Task Health_status_is_for_everyone_and_its_details_only_for_an_admin_key()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var factory = Start("query", KeySettings.For(db));
        using var client = factory.CreateClient();

        // 200 or 503 (not ready yet), a body either way.
        using var ready = await client.GetAsync("/health/ready");
        var anonymous = await ready.Content.ReadFromJsonAsync<JsonElement>();
        using var seed = await client.GetAsync("/gateway/api/query/health");

        Assert.NotEmpty(anonymous.GetProperty("checks").EnumerateArray());
        Assert.All(anonymous.GetProperty("checks").EnumerateArray(), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("description").ValueKind));
        Assert.NotEqual(HttpStatusCode.Unauthorized, seed.StatusCode);
        var details = (await seed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details");
        Assert.All(details.EnumerateObject(), d => Assert.Contains(d.Value.GetString(), new[] { "Healthy", "Degraded", "Unhealthy" }));
    }

    internal static KeyedService Start(string service, Dictionary<string, string?> settings) => service switch
    {
        "api" => KeyedService.Of(new ServiceFactory<api::Program>(settings)),
        "query" => KeyedService.Of(new ServiceFactory<query::Program>(settings)),
        _ => KeyedService.Of(new ServiceFactory<worker::Program>(settings)),
    };

    private static List<RouteEndpoint> Routes(KeyedService factory) =>
        [.. factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .OrderBy(e => e.RoutePattern.RawText, StringComparer.Ordinal)];

    private static object? Rule(RouteEndpoint endpoint) =>
        (object?)endpoint.Metadata.GetMetadata<OpenToAnyone>() ?? (object?)endpoint.Metadata.GetMetadata<DiagnosticsRoute>()
            ?? endpoint.Metadata.GetMetadata<KeyScopeRequirement>();

    private static string RuleText(RouteEndpoint endpoint) => Rule(endpoint) switch
    {
        KeyScopeRequirement scope => string.Join("|", scope.AnyOf),
        var other => other?.GetType().Name ?? "none",
    };

    private static string Method(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";

    private static string Describe(RouteEndpoint endpoint) => $"{Method(endpoint)} {endpoint.RoutePattern.RawText}";

    /// <summary>The route's path with sample values for its parameters (a GUID where the route takes only GUIDs).</summary>
    private static string PathOf(RouteEndpoint endpoint) => "/" + Parameter().Replace((endpoint.RoutePattern.RawText ?? "").TrimStart('/'),
        m => m.Groups["constraint"].Value.Contains("guid", StringComparison.Ordinal) ? Guid.NewGuid().ToString()
            : m.Groups["constraint"].Value.Contains("int", StringComparison.Ordinal) ? "0" : "0-0");

    private static async Task<(HttpStatusCode Status, string Body)> AnswerAsync(HttpClient client, RouteEndpoint route, string? key)
    {
        var method = new HttpMethod(Method(route));
        using var request = KeySettings.Request(method, PathOf(route), key, method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}");
        if (request.Content is not null && route.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes is [var accepted, ..])
        {
            // A content type the route takes: routing answers 415 for others before the route's key rule applies.
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(accepted);
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Headers only: a live tail that was let through stays open until disposed.
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var body = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? await response.Content.ReadAsStringAsync(cancel.Token) : "";
        // gRPC answers HTTP 200 with its status in grpc-status: UNAUTHENTICATED (16) and PERMISSION_DENIED (7) are its 401, 403.
        var status = response.Headers.TryGetValues("grpc-status", out var grpc)
            ? grpc.Single() switch { "16" => HttpStatusCode.Unauthorized, "7" => HttpStatusCode.Forbidden, _ => response.StatusCode }
            : response.StatusCode;
        return (status, body);
    }


    /// <summary>What a request could change: events, the outbox, imports.</summary>
    private static async Task<string> StateAsync(SpecDatabase db) => string.Join(",",
        await db.ScalarAsync<long>("SELECT count(*) FROM log_events"),
        await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message"),
        await db.ScalarAsync<long>("SELECT count(*) FROM import_state WHERE cancel_requested_at IS NOT NULL"));

    [GeneratedRegex(@"\{(?<name>[^}:]+)(?<constraint>:[^}]*)?\}")]
    private static partial Regex Parameter();
}
