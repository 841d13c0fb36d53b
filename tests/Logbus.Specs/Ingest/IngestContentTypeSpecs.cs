using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

/// <summary>
/// Ingest routes read only their own media types: what a web page can make a browser send cross-origin without a CORS
/// preflight (text/plain, form data, no Content-Type) is a 415 naming the accepted types, and nothing is stored. And no
/// CORS answer unless <c>Cors:AllowedOrigins</c> lists the origin.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class IngestContentTypeSpecs : IAsyncLifetime
{
    private const string Event = """{"message":"from a browser","source":"browser"}""";
    private const string Clef = """{"@mt":"from a browser","Application":"browser"}""";
    private SpecDatabase _db = null!;
    private ApiHost _api = null!;

    public static TheoryData<string, string, string> BrowserBorne => new()
    {
        { "/api/logs", Event, "application/json" },
        { "/api/logs/batch", $"[{Event}]", "application/json" },
        { "/producer/api/logs/ingest", Event, "application/json" },
        { "/producer/api/logs/ingest/async", Event, "application/json" },
        { "/producer/api/logs/batch", $"[{Event}]", "application/json" },
        { "/api/events/raw", Clef, "application/vnd.serilog.clef" },
        { "/api/events/raw?clef", Clef, "application/vnd.serilog.clef" },
        { "/ingest/clef", Clef, "application/vnd.serilog.clef" },
        { "/api/imports?format=clef", Clef, "application/x-ndjson" },
    };

    public async Task InitializeAsync()
    {
        _db = await SpecDatabase.CreateAsync();
        _api = ApiHost.Start(_db);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(BrowserBorne))]
    public async Task What_a_page_can_post_cross_origin_is_a_415_naming_the_accepted_types(string route, string body, string accepted)
    {
        foreach (var contentType in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null })
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
            using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
            request.Headers.Add("Origin", "http://evil.example");

            var response = await _api.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(accepted, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains(accepted, problem.GetProperty("accepted").EnumerateArray().Select(t => t.GetString()));
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }

        Assert.Empty(await _api.OutboxEventsAsync());
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM import_state"));
    }

    [Theory]
    [InlineData("/api/logs", Event, "application/json; charset=utf-8", HttpStatusCode.Accepted)]
    [InlineData("/api/logs", Event, "application/vnd.acme.event+json", HttpStatusCode.Accepted)]
    [InlineData("/producer/api/logs/ingest", Event, "application/json", HttpStatusCode.OK)]
    [InlineData("/api/events/raw", Clef, "application/vnd.serilog.clef", HttpStatusCode.Created)]
    [InlineData("/api/events/raw?clef", Clef, "application/json", HttpStatusCode.Created)]
    [InlineData("/ingest/clef", Clef, "application/x-ndjson", HttpStatusCode.Created)]
    [InlineData("/api/imports?format=clef", Clef, "application/octet-stream", HttpStatusCode.Accepted)]
    public async Task Each_route_s_own_types_are_read(string route, string body, string contentType, HttpStatusCode expected)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await _api.Client.PostAsync(route, content);

        Assert.True(expected == response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task No_CORS_answer_unless_the_origin_is_configured()
    {
        await using var configured = ApiHost.Start(_db, new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins:0"] = "https://ops.example.com",
        });

        foreach (var (api, origin, allowed) in new[]
        {
            (_api, "https://ops.example.com", false),
            (configured, "http://evil.example", false),
            (configured, "https://ops.example.com", true),
        })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/logs");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

            var response = await api.Client.SendAsync(preflight);

            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        }
    }
}
