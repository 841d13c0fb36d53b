extern alias bench;

using bench::Logbus.Bench.Data;
namespace Logbus.Specs.Query;

[Collection("query dataset")]
[Trait("Kind", "Integration")]
public sealed class SearchSpecs(QueryDataset dataset)
{
    private DateTimeOffset End => dataset.End;

    public static TheoryData<string> Combinations => [.. CombinationNames];

    private static readonly string[] CombinationNames =
    [
        "one hour, no filter",
        "six hours, ERROR",
        "a day, WARN and up, two sources",
        "three days, one user",
        "three days, word and level",
        "twelve hours, phrase with a word prefix",
        "three days, one trace id",
        "six hours, region and source",
        "a day, boolean metadata and FATAL",
        "a day, nested number metadata and source",
        "one hour, DEBUG, oldest first",
        "a day, two metadata values",
        "six hours, word prefix",
        "six hours, upper-case phrase",
        "three days, a word no message has",
        "three days, text without words",
        "three days, a phrase starting mid-word",
    ];

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Every_filter_combination_returns_exactly_the_events_of_the_reference_in_order(string combination)
    {
        var query = Build(combination);
        var expected = query.Apply(dataset.Events).Select(e => e.Id).ToList();

        var actual = await QueryClient.AllIdsAsync(dataset.Client, query.ToQueryString(limit: 1000));

        QueryClient.SameSequence(expected, actual, combination);
    }

    [Fact]
    public async Task Small_pages_visit_each_event_once_across_timestamp_ties()
    {
        var query = new ReferenceQuery(End.AddMinutes(-10), End);
        var expected = query.Apply(dataset.Events).Select(e => e.Id).ToList();
        var ties = query.Apply(dataset.Events).GroupBy(e => e.Timestamp).Count(g => g.Count() > 1);
        Assert.True(ties > 10, $"the window holds events sharing a timestamp ({ties} groups)");

        foreach (var limit in new[] { 1, 7, 100 })
        {
            var newest = await QueryClient.AllIdsAsync(dataset.Client, query.ToQueryString(limit));
            QueryClient.SameSequence(expected, newest, $"newest first, {limit} per page");
        }

        var oldest = await QueryClient.AllIdsAsync(dataset.Client, (query with { OldestFirst = true }).ToQueryString(7));
        QueryClient.SameSequence(Enumerable.Reverse(expected).ToList(), oldest, "oldest first, 7 per page");
    }

    private ReferenceQuery Build(string combination)
    {
        var hour = new ReferenceQuery(End.AddHours(-1), End);
        var sixHours = hour with { From = End.AddHours(-6) };
        var twelveHours = hour with { From = End.AddHours(-12) };
        var day = hour with { From = End.AddDays(-1) };
        var all = hour with { From = End - QueryDataset.Span };
        var traced = dataset.Events[(QueryDataset.Count / 2)..].First(e => e.TraceId is not null).TraceId;
        return combination switch
        {
            "one hour, no filter" => hour,
            "six hours, ERROR" => sixHours with { Levels = ["ERROR"] },
            "a day, WARN and up, two sources" => day with { Levels = ["WARN", "ERROR", "FATAL"], Sources = ["service-00", "service-07"] },
            "three days, one user" => all with { Meta = [("userId", "user42")] },
            "three days, word and level" => all with { Text = "checkout", Levels = ["ERROR"] },
            "twelve hours, phrase with a word prefix" => twelveHours with { Text = "timeout after 1" },
            "three days, one trace id" => all with { TraceId = traced },
            "six hours, region and source" => sixHours with { Meta = [("region", "eu")], Sources = ["service-03"] },
            "a day, boolean metadata and FATAL" => day with { Meta = [("retry", "true")], Levels = ["FATAL"] },
            "a day, nested number metadata and source" => day with { Meta = [("http.status", "404")], Sources = ["service-01"] },
            "one hour, DEBUG, oldest first" => hour with { Levels = ["DEBUG"], OldestFirst = true },
            "a day, two metadata values" => day with { Meta = [("region", "us"), ("retry", "false")], Levels = ["WARN"] },
            "six hours, word prefix" => sixHours with { Text = "paym" },
            "six hours, upper-case phrase" => sixHours with { Text = "CACHE MISS" },
            "three days, a word no message has" => all with { Text = "xylophone" },
            "three days, text without words" => all with { Text = "***" },
            "three days, a phrase starting mid-word" => all with { Text = "ayment declined" },
            _ => throw new ArgumentOutOfRangeException(nameof(combination)),
        };
    }
}
