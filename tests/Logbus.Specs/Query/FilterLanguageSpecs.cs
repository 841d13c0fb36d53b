extern alias bench;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using bench::Logbus.Bench.Data;

namespace Logbus.Specs.Query;

/// <summary>
/// <c>filter=</c> on the generated dataset: each expression returns exactly the events a predicate written by hand in
/// C# selects from the same generated events, in order, across pages. The predicates state the language's meaning:
/// a condition on an absent property, or on a value of another kind than the literal, is false; <c>not</c> makes it true.
/// </summary>
[Collection("query dataset")]
[Trait("Kind", "Integration")]
public sealed class FilterLanguageSpecs(QueryDataset dataset)
{
    public static TheoryData<string> Expressions => [.. Cases(null).Keys];

    [Theory]
    [MemberData(nameof(Expressions))]
    public async Task An_expression_returns_exactly_the_events_its_reference_predicate_selects(string expression)
    {
        var (window, predicate) = Cases(dataset)[expression];
        expression = Fill(expression, dataset);
        var from = dataset.End - window;
        var expected = dataset.Events.Where(e => e.Timestamp >= from && e.Timestamp < dataset.End).Where(predicate)
            .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal).Select(e => e.Id).ToList();

        var actual = await QueryClient.AllIdsAsync(dataset.Client, $"{Window(from)}&limit=1000&filter={Uri.EscapeDataString(expression)}");

        QueryClient.SameSequence(expected, actual, expression);
    }

    [Fact]
    public void The_expressions_cover_every_operator_function_built_in_and_path_form()
    {
        var all = string.Join('\n', Cases(null).Keys);
        string[] forms =
        [
            " = ", " <> ", " < ", " <= ", " > ", " >= ", " like ", " in [", " and ", " or ", "not ", "(", " ci", "Has(", "StartsWith(",
            "EndsWith(", "Contains(", "@Level", "@Message", "@Exception", "@Source", "@Timestamp", "@TraceId", "@SpanId", "@Id", "http.status",
            "tags[0]", "resource['service.name']", "= true", "= null", "= 404", "\"checkout\"", "'timeout after 1'",
        ];
        Assert.All(forms, form => Assert.Contains(form, all, StringComparison.Ordinal));
        Assert.True(Cases(null).Count >= 30, $"{Cases(null).Count} expressions");
    }

    public static TheoryData<string, int> Malformed => new()
    {
        { "@Level = ", 10 },
        { "@Level = 'ERROR' and", 21 },
        { "http.status >= 500 and (region = 'eu'", 38 },
        { "@Nope = 'x'", 1 },
        { "userId 'user1'", 8 },
        { "@Message like 'unterminated", 15 },
        { "Has(", 5 },
        { "@Timestamp > 'yesterday'", 14 },
        { "@Level > 5", 10 },
        { "tags[x] = 1", 6 },
        { "Matches(@Message, 'x')", 1 },
        { "retry < true", 7 },
        { "region = 'eu' extra", 15 },
        { "StartsWith(@Message, 5)", 22 },
        { "http.status = 1e999999", 15 },
        { "@Message = 'a' ; drop", 16 },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_expression_is_a_400_naming_its_column(string expression, int column)
    {
        var response = await dataset.Client.GetAsync($"/api/query/logs?filter={Uri.EscapeDataString(expression)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var message = problem.GetProperty("errors").GetProperty("filter")[0].GetString()!;
        Assert.StartsWith($"At column {column}:", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expression_over_the_size_limits_is_a_400_naming_the_setting()
    {
        var tooLong = string.Join(" or ", Enumerable.Range(0, 100).Select(i => $"a = {i}"));

        var response = await dataset.Client.GetAsync($"/api/query/logs?filter={Uri.EscapeDataString(tooLong)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Filter:MaxConditions", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("@Message = 'x'' OR ''1''=''1'")]
    [InlineData("@Message = '''; DROP TABLE log_events; --'")]
    [InlineData("resource['service.name''); DELETE FROM log_events; --'] = 1")]
    [InlineData("\"'); SELECT pg_sleep(30); --\"")]
    [InlineData("@Source like '%'' OR TRUE OR source LIKE ''%'")]
    public async Task Injection_shaped_literals_are_values_matching_nothing_and_change_nothing(string expression)
    {
        var window = Window(dataset.End.AddHours(-1));
        var before = await QueryClient.AllIdsAsync(dataset.Client, $"{window}&limit=1000");

        var matched = await QueryClient.AllIdsAsync(dataset.Client, $"{window}&limit=1000&filter={Uri.EscapeDataString(expression)}");
        var negated = await QueryClient.AllIdsAsync(dataset.Client,
            $"{window}&limit=1000&filter={Uri.EscapeDataString($"not ({expression})")}");

        Assert.Empty(matched);
        QueryClient.SameSequence(before, negated, $"not ({expression})");
        Assert.Equal(QueryDataset.Count, await dataset.Database.ScalarAsync<long>("SELECT count(*) FROM log_events"));
    }

    private static string Window(DateTimeOffset from) =>
        $"from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}";

    /// <summary>The expression with the dataset's values in place of {trace}, {span}, {id}, {from} and {to}.</summary>
    private static string Fill(string template, QueryDataset dataset)
    {
        var (traced, one) = Picks(dataset);
        return template.Replace("{trace}", traced.TraceId, StringComparison.Ordinal)
            .Replace("{span}", traced.SpanId, StringComparison.Ordinal)
            .Replace("{id}", one.Id, StringComparison.Ordinal)
            .Replace("{from}", dataset.End.AddMinutes(-40).ToString("O", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{to}", dataset.End.AddMinutes(-20).ToString("O", CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>A traced event and some event of the last hour, for the expressions naming one.</summary>
    private static (GeneratedEvent Traced, GeneratedEvent One) Picks(QueryDataset dataset)
    {
        var recent = dataset.Events.Where(e => e.Timestamp >= dataset.End.AddHours(-1)).ToList();
        return (recent.First(e => e.TraceId is not null), recent[recent.Count / 2]);
    }

    /// <summary>
    /// Each expression (a template, see <see cref="Fill"/>) with the window it is searched over (ending at the dataset's
    /// end) and its meaning in C#.
    /// </summary>
    private static Dictionary<string, (TimeSpan Window, Func<GeneratedEvent, bool> Matches)> Cases(QueryDataset? dataset)
    {
        var hour = TimeSpan.FromHours(1);
        var days = QueryDataset.Span;
        GeneratedEvent? traced = null, one = null;
        if (dataset is not null)
        {
            (traced, one) = Picks(dataset);
        }

        return new Dictionary<string, (TimeSpan, Func<GeneratedEvent, bool>)>(StringComparer.Ordinal)
        {
            ["@Level = 'ERROR'"] = (hour, e => e.Level == "ERROR"),
            ["@Level = 'Warning'"] = (hour, e => e.Level == "WARN"),
            ["@Level <> 'INFO'"] = (hour, e => e.Level != "INFO"),
            ["@Level in ['ERROR', 'fatal']"] = (hour, e => e.Level is "ERROR" or "FATAL"),
            ["@Level = 'eRrOr' ci"] = (hour, e => e.Level == "ERROR"),
            ["@Source = 'service-03'"] = (hour, e => e.Source == "service-03"),
            ["@Source like 'service-0_'"] = (hour, e => e.Source.Length == 10 && e.Source.StartsWith("service-0", StringComparison.Ordinal)),
            ["@Source > 'service-30'"] = (hour, e => string.CompareOrdinal(e.Source, "service-30") > 0),
            ["@Source <= 'service-02'"] = (hour, e => string.CompareOrdinal(e.Source, "service-02") <= 0),
            ["@Message like '%timeout%'"] = (hour, e => e.Message.Contains("timeout", StringComparison.Ordinal)),
            ["@Message like 'CONNECTION%' ci"] = (hour, e => e.Message.StartsWith("connection", StringComparison.OrdinalIgnoreCase)),
            ["StartsWith(@Message, 'Payment')"] = (hour, e => e.Message.StartsWith("Payment", StringComparison.Ordinal)),
            ["EndsWith(@Message, 'items')"] = (hour, e => e.Message.EndsWith("items", StringComparison.Ordinal)),
            ["Contains(@Message, 'declined for') and not Contains(@Message, 'EXPIRED') ci"] = (hour,
                e => e.Message.Contains("declined for", StringComparison.Ordinal)
                    && !e.Message.Contains("expired", StringComparison.OrdinalIgnoreCase)),
            ["'timeout after 1'"] = (hour, e => TextSearch(e.Message, "timeout after 1")),
            ["\"checkout\" and @Level = 'ERROR'"] = (days, e => TextSearch(e.Message, "checkout") && e.Level == "ERROR"),
            ["userId = 'user42'"] = (days, e => e.UserId == "user42"),
            ["userId = 'user42' or userId = 'user7'"] = (days, e => e.UserId is "user42" or "user7"),
            ["http.status >= 500"] = (hour, e => e.HttpStatus >= 500),
            ["http.status < 300"] = (hour, e => e.HttpStatus < 300),
            ["http.status = 404"] = (hour, e => e.HttpStatus == 404),
            ["http.status = 500.0"] = (hour, e => e.HttpStatus == 500),
            ["http.status = '500'"] = (hour, _ => false),
            ["http.status <> 200"] = (hour, e => e.HttpStatus != 200),
            ["http.status in [404, 500]"] = (hour, e => e.HttpStatus is 404 or 500),
            ["http['status'] > 400 and http['status'] <= 500"] = (hour, e => e.HttpStatus is > 400 and <= 500),
            ["retry = true"] = (hour, e => e.Retry == true),
            ["retry <> true"] = (hour, e => e.Retry == false),
            ["retry = false or retry = null"] = (hour, e => e.Retry != true),
            ["Has(retry)"] = (hour, e => e.Retry is not null),
            ["not Has(retry)"] = (hour, e => e.Retry is null),
            ["region = 'EU' ci"] = (hour, e => e.Region == "eu"),
            ["region in ['eu', 'ap']"] = (hour, e => e.Region is "eu" or "ap"),
            ["userId like 'user1%' and region <> 'eu'"] = (hour, e => e.UserId.StartsWith("user1", StringComparison.Ordinal) && e.Region != "eu"),
            ["userId > 'user4990'"] = (hour, e => string.CompareOrdinal(e.UserId, "user4990") > 0),
            ["StartsWith(userId, 'USER49') ci"] = (hour, e => e.UserId.StartsWith("user49", StringComparison.Ordinal)),
            ["tags[0] = 'us'"] = (hour, e => e.Region == "us"),
            ["tags[1] in ['error', 'fatal'] and tags[0] <> 'ap'"] = (hour, e => e.Level is "ERROR" or "FATAL" && e.Region != "ap"),
            ["resource['service.name'] = 'service-01'"] = (hour, e => e.Source == "service-01"),
            ["EndsWith(resource['service.name'], '-1') or resource['service.name'] like '%-2_'"] = (hour,
                e => e.Source.EndsWith("-1", StringComparison.Ordinal)
                    || (e.Source.Length == 10 && e.Source.StartsWith("service-2", StringComparison.Ordinal))),
            ["Contains(@Exception, '100%')"] = (hour, e => e.Exception is not null),
            ["Contains(@Exception, '10_%')"] = (hour, _ => false),
            ["@Exception like '%step_2%'"] = (hour, e => e.Exception is not null),
            ["Has(@Exception)"] = (hour, e => e.Exception is not null),
            ["@Exception = null and @Level = 'FATAL'"] = (hour, _ => false),
            ["@TraceId <> null and StartsWith(@TraceId, 'a')"] = (hour, e => e.TraceId?.StartsWith('a') == true),
            ["@TraceId = '{trace}'"] = (days, e => e.TraceId == traced?.TraceId),
            ["@SpanId = '{span}'"] = (days, e => e.SpanId == traced?.SpanId),
            ["@Id = '{id}'"] = (days, e => e.Id == one?.Id),
            ["@Timestamp >= '{from}' and @Timestamp < '{to}'"] = (hour,
                e => dataset is not null && e.Timestamp >= dataset.End.AddMinutes(-40) && e.Timestamp < dataset.End.AddMinutes(-20)),
            ["(@Level = 'ERROR' or @Level = 'FATAL') and http.status = 500 and not StartsWith(@Message, 'Connection')"] = (hour,
                e => e.Level is "ERROR" or "FATAL" && e.HttpStatus == 500 && !e.Message.StartsWith("Connection", StringComparison.Ordinal)),
            ["not (@Level = 'INFO' or @Level = 'DEBUG') and not region = 'us'"] = (hour, e => e.Level is not ("INFO" or "DEBUG") && e.Region != "us"),
            ["not nosuch.property = 'x'"] = (hour, _ => true),
        };
    }

    /// <summary>A bare string, as <c>q=</c>: the message contains it (any case) and each of its words starts a word of the message.</summary>
    private static bool TextSearch(string message, string text)
    {
        if (!message.Contains(text, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var words = message.ToLowerInvariant().Split(' ');
        return text.ToLowerInvariant().Split(' ').All(q => words.Any(w => w.StartsWith(q, StringComparison.Ordinal)));
    }
}
