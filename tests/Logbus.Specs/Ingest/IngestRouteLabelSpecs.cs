using System.Net;
using System.Net.Http.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

/// <summary>The ingest metrics name a route as it is written in the API's documentation: no trailing slash.</summary>
[Trait("Kind", "Integration")]
public sealed class IngestRouteLabelSpecs
{
    [Fact]
    public async Task A_single_event_is_counted_under_the_route_api_logs_without_a_trailing_slash()
    {
        await using var api = await ApiHost.StartOnOwnDatabaseAsync();
        var before = await PrometheusScrape.SumAsync(api.Client, "logbus_ingest_events_total", ("route", "/api/logs"), ("result", "accepted"));
        Assert.NotNull(before);

        var response = await api.Client.PostAsJsonAsync("/api/logs", new { message = "counted", source = "route-label-spec" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // A client that writes the slash is still answered.
        var slashed = await api.Client.PostAsJsonAsync("/api/logs/", new { message = "counted too", source = "route-label-spec" });
        Assert.Equal(HttpStatusCode.Accepted, slashed.StatusCode);

        var after = await PrometheusScrape.SumAsync(api.Client, "logbus_ingest_events_total", ("route", "/api/logs"), ("result", "accepted"));
        // The counters are the process's: specs running beside this one may add to them too.
        Assert.True(after >= before + 2, $"{after} counted after {before}");
        Assert.DoesNotContain("route=\"/api/logs/\"", await api.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }
}
