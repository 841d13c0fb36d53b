extern alias query;

using System.Net;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Query;

/// <summary>
/// Query does its whole job as <c>logbus_reader</c>, which may only read: readiness (its schema check instead of a
/// migration), search, stats, sources, the tutorial's routes, live tail and import status. Cancelling an import is the
/// Api's (it writes).
/// </summary>
[Trait("Kind", "Integration")]
public sealed class QueryAsReaderSpecs
{
    [Fact]
    public async Task Every_read_route_answers_with_the_read_only_role()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await LogEventRows.InsertAsync(db, "read-1", DateTimeOffset.UtcNow.AddMinutes(-5), source: "reader-spec");
        var settings = ServiceSettings.For(db);
        settings["ConnectionStrings:Logbus"] = db.ReaderConnectionString;
        settings["Cache:KeyPrefix"] = db.Name + ":";
        await using var service = new ServiceFactory<query::Program>(settings);
        using var client = service.CreateClient();

        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "Query is ready as logbus_reader");
        foreach (var url in new[]
        {
            "/api/query/logs?hoursBack=1", "/api/query/logs/read-1", "/api/query/stats?hoursBack=1", "/api/query/sources",
            "/gateway/api/query/logs?size=5", "/gateway/api/query/stats", "/api/imports",
        })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Contains("read-1", await client.GetStringAsync("/api/query/logs?hoursBack=1"), StringComparison.Ordinal);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            using var tail = await client.GetAsync("/api/query/tail", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            Assert.Equal(HttpStatusCode.OK, tail.StatusCode);
        }

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.DeleteAsync($"/api/imports/{Guid.NewGuid()}")).StatusCode);
    }
}
