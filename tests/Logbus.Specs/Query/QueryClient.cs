using System.Net.Http.Json;
using System.Text.Json;

namespace Logbus.Specs.Query;

internal static class QueryClient
{
    /// <summary>Follows nextCursor from the first page to the last and returns every id in the order received.</summary>
    public static async Task<List<string>> AllIdsAsync(HttpClient client, string query)
    {
        var ids = new List<string>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 20_000, "paging did not end");
            var url = "/api/query/logs?" + query + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var response = await client.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is null)
            {
                return ids;
            }
        }
    }

    /// <summary>Equal sequences, or a failure that says where they part instead of printing both.</summary>
    public static void SameSequence(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string what)
    {
        var firstDifference = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(i => expected[i] != actual[i], -1);
        if (expected.Count != actual.Count || firstDifference >= 0)
        {
            Assert.Fail($"{what}: expected {expected.Count} events, got {actual.Count}; "
                + (firstDifference >= 0
                    ? $"first difference at position {firstDifference}: expected {expected[firstDifference]}, got {actual[firstDifference]}"
                    : "one is a prefix of the other")
                + $"; got {actual.Count - actual.Distinct().Count()} duplicate(s).");
        }
    }
}
