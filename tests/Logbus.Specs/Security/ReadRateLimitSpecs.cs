extern alias query;

using System.Net;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Security;

/// <summary>
/// Query's read routes are rate-limited per client (per key, or per address without one): a client over
/// <c>Query:RateLimit:RequestsPerSecond</c> gets 429 with Retry-After, and another key keeps its own budget.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ReadRateLimitSpecs
{
    [Fact]
    public async Task A_client_over_its_read_rate_gets_429_with_Retry_After_and_another_key_is_still_served()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var settings = KeySettings.For(db);
        settings["Query:RateLimit:RequestsPerSecond"] = "2";
        settings["Cache:KeyPrefix"] = db.Name + ":";
        await using var service = new ServiceFactory<query::Program>(settings);
        using var client = service.CreateClient();

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await client.SendAsync(KeySettings.Request(HttpMethod.Get, "/api/query/sources", KeySettings.Read)));
        }

        using var otherKey = await client.SendAsync(KeySettings.Request(HttpMethod.Get, "/api/query/sources", KeySettings.OrdersRead));
        var refused = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();

        Assert.Equal(HttpStatusCode.OK, statuses[0].StatusCode);
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After of at least a second"));
        Assert.Contains("Query:RateLimit:RequestsPerSecond", await refused[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
        statuses.ForEach(r => r.Dispose());
    }
}
