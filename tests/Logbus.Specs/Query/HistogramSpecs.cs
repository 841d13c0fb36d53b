using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Logbus.Specs.Query;

[Collection("query dataset")]
[Trait("Kind", "Integration")]
public sealed class HistogramSpecs(QueryDataset dataset)
{
    private DateTimeOffset End => dataset.End;

    public static TheoryData<string, int> Cases => new()
    {
        { "three days, no filter", 60 },
        { "a day, ERROR and a word", 24 },
        { "six hours, source and region", 500 },
        { "ten odd minutes, WARN and up", 7 },
        { "one hour, one user", 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Buckets_hold_exactly_the_reference_counts_per_level_and_cover_the_window(string name, int asked) =>
        AssertMatchesReferenceAsync(name, Build(name), Build(name).ToQueryString(limit: 100), asked);

    [Fact]
    public Task A_filter_expression_narrows_the_histogram_as_it_narrows_the_search() =>
        AssertMatchesReferenceAsync("a day, filter expression",
            new ReferenceQuery(End.AddDays(-1), End, Levels: ["ERROR", "FATAL"], Meta: [("region", "eu")]),
            new ReferenceQuery(End.AddDays(-1), End).ToQueryString(limit: 100)
                + "&filter=" + Uri.EscapeDataString("@Level in ['ERROR', 'FATAL'] and region = 'eu'"),
            48);

    /// <param name="query">What the histogram must count.</param>
    /// <param name="parameters">The histogram's query string, meaning the same.</param>
    private async Task AssertMatchesReferenceAsync(string name, ReferenceQuery query, string parameters, int asked)
    {
        var response = await dataset.Client.GetAsync($"/api/query/histogram?{parameters}&buckets={asked}");
        Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var histogram = await response.Content.ReadFromJsonAsync<JsonElement>();

        var width = TimeSpan.FromSeconds(histogram.GetProperty("bucketSeconds").GetInt64());
        var buckets = histogram.GetProperty("buckets").EnumerateArray().ToList();
        var starts = buckets.Select(b => b.GetProperty("start").GetDateTimeOffset()).ToList();
        Assert.InRange(buckets.Count, 1, asked);
        Assert.True(starts[0] <= query.From && query.From < starts[0] + width, $"{name}: the first bucket holds 'from'");
        Assert.True(starts[^1] < query.To && query.To <= starts[^1] + width, $"{name}: the last bucket holds the end");
        Assert.All(starts.Zip(starts.Skip(1)), pair => Assert.Equal(width, pair.Second - pair.First));
        Assert.All(starts, s => Assert.Equal(0, (s - DateTimeOffset.UnixEpoch).Ticks % width.Ticks));

        var matches = query.Apply(dataset.Events).ToList();
        Assert.True(matches.Count > 0, $"{name}: the reference finds events");
        var expected = matches
            .GroupBy(e => (Start: starts[0] + (width * ((e.Timestamp - starts[0]).Ticks / width.Ticks)), e.Level))
            .ToDictionary(g => $"{g.Key.Start:O} {g.Key.Level}", g => (long)g.Count());
        var actual = buckets
            .SelectMany(b => b.GetProperty("counts").EnumerateObject()
                .Select(c => (Key: $"{b.GetProperty("start").GetDateTimeOffset():O} {c.Name}", Count: c.Value.GetInt64())))
            .ToDictionary(c => c.Key, c => c.Count);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(a => a.Key, StringComparer.Ordinal));
        Assert.Equal(matches.Count, histogram.GetProperty("total").GetInt64());
        Assert.All(buckets, b => Assert.Equal(
            b.GetProperty("counts").EnumerateObject().Sum(c => c.Value.GetInt64()), b.GetProperty("total").GetInt64()));
        foreach (var level in new[] { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" })
        {
            Assert.Equal(matches.Count(e => e.Level == level), histogram.GetProperty("byLevel").GetProperty(level).GetInt64());
        }
    }

    [Fact]
    public async Task The_bucket_count_is_bounded_by_its_setting()
    {
        var from = Uri.EscapeDataString(End.AddDays(-1).ToString("O", CultureInfo.InvariantCulture));
        var tooMany = await dataset.Client.GetAsync($"/api/query/histogram?from={from}&buckets=501");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        var problem = await tooMany.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Histogram:MaxBuckets", problem.GetProperty("errors").GetProperty("buckets")[0].GetString(), StringComparison.Ordinal);

        var none = await dataset.Client.GetAsync($"/api/query/histogram?from={from}&buckets=0");
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);

        var byDefault = await dataset.Client.GetFromJsonAsync<JsonElement>($"/api/query/histogram?from={from}");
        Assert.InRange(byDefault.GetProperty("buckets").GetArrayLength(), 24, 60);
    }

    private ReferenceQuery Build(string name) => name switch
    {
        "three days, no filter" => new(End - QueryDataset.Span, End),
        "a day, ERROR and a word" => new(End.AddDays(-1), End, Levels: ["ERROR"], Text: "timeout"),
        "six hours, source and region" => new(End.AddHours(-6), End, Sources: ["service-00", "service-03"], Meta: [("region", "eu")]),
        "ten odd minutes, WARN and up" => new(End.AddMinutes(-10).AddSeconds(7), End.AddSeconds(-3), Levels: ["WARN", "ERROR", "FATAL"]),
        "one hour, one user" => new(End.AddHours(-1), End, Meta: [("userId", "user0")]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
