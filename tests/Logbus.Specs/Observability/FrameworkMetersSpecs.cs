using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Observability;

/// <summary>
/// ASP.NET Core's and Kestrel's own meters measure every request again, for series no dashboard reads (prometheus-net's
/// HTTP middleware exports the request counts and durations the dashboards use), and exporting them costs the Api CPU on
/// every request. They are exported only when <c>Monitoring:ExportFrameworkHttpMeters</c> asks. The
/// services run as processes: prometheus-net's meter adapter is configured once per process.
/// </summary>
[Trait("Kind", "Integration")]
public sealed partial class FrameworkMetersSpecs
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_Api_exports_ASP_NET_Cores_own_request_meters_only_when_asked(bool asked)
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var stack = await ServiceProcessStack.StartAsync(db, "meters", 1,
            [("Monitoring:ExportFrameworkHttpMeters", asked ? "true" : "false")], []);
        using var client = new HttpClient { BaseAddress = stack.Api.BaseAddress };
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(30),
            "the Api is ready");
        for (var i = 0; i < 5; i++)
        {
            (await client.PostAsJsonAsync("/api/logs", new { message = $"metered {i}", source = "meters" })).EnsureSuccessStatusCode();
        }

        var lines = (await client.GetStringAsync("/metrics")).Split('\n').Where(l => !l.StartsWith('#')).ToList();

        // What the dashboards read is there either way.
        Assert.Contains(lines, l => l.StartsWith("http_request_duration_seconds_bucket", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("http_requests_received_total", StringComparison.Ordinal));
        // prometheus-net names a meter's series after the meter and the instrument (Microsoft.AspNetCore.Hosting's
        // http.server.request.duration: microsoft_aspnetcore_hosting_http_server_request_duration). The same prefix without
        // those instrument names is ASP.NET Core's event counters, a few series a second, which stay.
        var framework = lines.Where(l => FrameworkMeterSeries().IsMatch(l)).ToList();
        var named = lines.Where(l => l.StartsWith("microsoft_aspnetcore_", StringComparison.Ordinal)).Select(l => l.Split('{', ' ')[0]).Distinct();
        Assert.True(asked == (framework.Count > 0),
            $"asked: {asked}; ASP.NET Core's meter series: {framework.Count}; all: {string.Join(" ", named)}");
    }

    /// <summary>Meter series: Hosting's http.server.*, Kestrel's kestrel.*, and the aspnetcore.* of routing, rate limiting, diagnostics.</summary>
    [GeneratedRegex("^microsoft_aspnetcore_(hosting_http_server|server_kestrel_kestrel|[a-z]+_aspnetcore)_")]
    private static partial Regex FrameworkMeterSeries();
}
