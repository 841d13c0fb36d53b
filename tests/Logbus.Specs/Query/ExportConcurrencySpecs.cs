using System.Net;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Security;

namespace Logbus.Specs.Query;

/// <summary>
/// Exports streaming at once are capped in total (<c>Export:MaxConcurrent</c>) and per API key
/// (<c>Export:MaxConcurrentPerClient</c>): one over either cap is a 429 ProblemDetails naming the setting, with
/// Retry-After, counted by cap; once an export finishes, the next is admitted.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ExportConcurrencySpecs : IAsyncLifetime
{
    private const string Refusals = "logbus_query_export_refusals_total";
    private const string KeyA = "export-a-secret";
    private const string KeyB = "export-b-secret";

    private ExportStack _stack = null!;

    public async Task InitializeAsync() => _stack = await ExportStack.StartAsync(20_000,
        ("Export:MaxConcurrent", "3"),
        ("Export:MaxConcurrentPerClient", "2"),
        ("ApiKeys:Keys:0:Name", "a"), ("ApiKeys:Keys:0:Sha256", KeySettings.Hash(KeyA)), ("ApiKeys:Keys:0:Scopes:0", "read"),
        ("ApiKeys:Keys:1:Name", "b"), ("ApiKeys:Keys:1:Sha256", KeySettings.Hash(KeyB)), ("ApiKeys:Keys:1:Scopes:0", "read"));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task An_export_over_a_cap_is_a_429_and_one_is_admitted_once_another_finished()
    {
        var perClientBefore = await _stack.MetricAsync(Refusals, ("cap", "client"));
        var totalBefore = await _stack.MetricAsync(Refusals, ("cap", "total"));
        // Streams left unread stay open: the service waits for each slow reader.
        using var slow = _stack.SlowReader();
        using var a1 = await OpenAsync(slow, KeyA);
        using var a2 = await OpenAsync(slow, KeyA);
        Assert.Equal(HttpStatusCode.OK, a1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, a2.StatusCode);

        using var a3 = await OpenAsync(slow, KeyA);
        await AssertRefusedAsync(a3, "Export:MaxConcurrentPerClient = 2");

        using var b1 = await OpenAsync(slow, KeyB);
        Assert.Equal(HttpStatusCode.OK, b1.StatusCode);
        using var b2 = await OpenAsync(slow, KeyB);
        await AssertRefusedAsync(b2, "Export:MaxConcurrent = 3");

        // One export read to its end (its lease ends before its last byte goes out): the next is admitted.
        var lines = 0;
        using (var reader = new StreamReader(await a1.Content.ReadAsStreamAsync()))
        {
            while (await reader.ReadLineAsync() is not null)
            {
                lines++;
            }
        }

        Assert.Equal(_stack.Events.Count, lines);
        using var b3 = await OpenAsync(slow, KeyB);
        Assert.Equal(HttpStatusCode.OK, b3.StatusCode);
        Assert.Equal(perClientBefore + 1, await _stack.MetricAsync(Refusals, ("cap", "client")));
        Assert.Equal(totalBefore + 1, await _stack.MetricAsync(Refusals, ("cap", "total")));
    }

    private async Task<HttpResponseMessage> OpenAsync(HttpClient client, string key)
    {
        using var request = KeySettings.Request(HttpMethod.Get, _stack.AllEvents, key);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string setting)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(setting, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
