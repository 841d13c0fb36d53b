extern alias query;

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using query::Logbus.Query.Filtering;

namespace Logbus.Specs.Query;

/// <summary>
/// What the filter compiler sends PostgreSQL: fixed SQL text, with every value and property name the client wrote
/// bound as a parameter, whatever the text looks like.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class FilterCompilationSpecs
{
    private static readonly string[] Hostile =
    [
        "'; DROP TABLE log_events; --",
        "x' OR '1'='1",
        "\"); SELECT pg_sleep(10); --",
        "$1",
        "E'\\x27'",
        "%' OR 1=1 --",
    ];

    public static TheoryData<string> Literals => [.. Hostile];

    [Theory]
    [MemberData(nameof(Literals))]
    public void Injection_shaped_literals_and_property_names_reach_sql_only_as_parameters(string literal)
    {
        var quoted = "'" + literal.Replace("'", "''", StringComparison.Ordinal) + "'";
        string[] expressions =
        [
            $"@Message = {quoted}",
            $"@Source like {quoted} ci",
            $"userId in [{quoted}, 'x']",
            $"resource[{quoted}] = {quoted}",
            $"tags[0] <> {quoted}",
            $"StartsWith(@Exception, {quoted}) or Contains(region, {quoted}) ci",
            $"http.status > {quoted}",
            quoted,
        ];

        foreach (var expression in expressions)
        {
            using var command = new NpgsqlCommand();
            var sql = FilterSql.Where(FilterParser.Parse(expression, new FilterOptions()), command);

            Assert.DoesNotContain(literal, sql, StringComparison.Ordinal);
            Assert.DoesNotContain(literal.Replace("'", "''", StringComparison.Ordinal), sql, StringComparison.Ordinal);
            var values = command.Parameters.SelectMany(p => Texts(p.Value)).ToList();
            Assert.True(values.Any(v => v.Contains(literal, StringComparison.Ordinal)),
                $"{expression}: the literal is a parameter's value ({string.Join(" | ", values)})");
        }
    }

    /// <summary>A parameter's value as the texts it holds: itself, unescaped as a LIKE pattern, and the strings of a JSON document.</summary>
    private static IEnumerable<string> Texts(object? value)
    {
        switch (value)
        {
            case string[] path:
                return path;
            case string text:
                var texts = new List<string> { text, Regex.Replace(text, @"\\(.)", "$1") };
                try
                {
                    texts.AddRange(Strings(JsonNode.Parse(text)));
                }
                catch (JsonException)
                {
                    // Not JSON: a plain value or a pattern.
                }

                return texts;
            default:
                return [value?.ToString() ?? ""];
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    [Theory]
    [InlineData("@Level = 'ERROR'", "level = @f0")]
    [InlineData("userId = 'u3'", "metadata @> @f0")]
    [InlineData("not Has(retry)", "IS NOT TRUE")]
    [InlineData("http.status >= 500", "jsonb_typeof")]
    public void Conditions_compile_to_the_sql_their_index_serves(string expression, string expected)
    {
        using var command = new NpgsqlCommand();

        var sql = FilterSql.Where(FilterParser.Parse(expression, new FilterOptions()), command);

        Assert.Contains(expected, sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_setting_is_refused_at_the_column_where_it_goes_too_deep()
    {
        var limits = new FilterOptions { MaxDepth = 3 };

        var problem = Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse("((((@Level = 'x'))))", limits));

        Assert.Equal(4, problem.Column);
        Assert.Contains("Filter:MaxDepth", problem.Message, StringComparison.Ordinal);
    }
}
