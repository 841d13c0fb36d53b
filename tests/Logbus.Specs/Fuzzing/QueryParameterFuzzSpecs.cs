extern alias query;

using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Logbus.Storage.Writing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using query::Logbus.Query.Search;

namespace Logbus.Specs.Fuzzing;

/// <summary>
/// The Query's parameters: whatever the query string, each parameter is refused with its name or accepted as a value
/// that reads back the same when written again, and that PostgreSQL can be sent (no NUL, no lone surrogate, jsonb numbers).
/// </summary>
[Trait("Kind", "Unit")]
public sealed class QueryParameterFuzzSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    private static readonly Gen<string> Key = Gen.Frequency(
        (6, Gen.OneOf("from", "to", "level", "minLevel", "source", "q", "traceId", "limit", "cursor", "meta.x", "meta.a.b", "meta.", "meta..x",
            "meta. ", "meta.%00", "meta.%ED%A0%80")),
        (1, HostileInput.Text(6).Select(Uri.EscapeDataString)));

    private static readonly Gen<string> Value = Gen.Frequency(
        (2, Gen.OneOf("2026-11-24T09:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999-14:00", "yesterday", "INFO,warn",
            "Information", "LOUD", "-2147483648", "2147483647", "99999999999", "abc", "01", "1.", ".5", "%2B7", "true", "null", "1e999999",
            "1e-999999", "1e-30000", "0e99999", "%00", "%ED%A0%80", "%FF", "'; DROP TABLE log_events; --", "MTox", "MTotMTp4", "MToxOng")),
        (2, HostileInput.Number),
        (1, Gen.Select(Gen.Long, HostileInput.Text(6), (ticks, id) => Uri.EscapeDataString(
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"1:{ticks}:{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_')))),
        (2, HostileInput.Text(10).Select(Uri.EscapeDataString)));

    private static readonly Gen<string> QueryString = Gen.Select(Key, Value, (k, v) => k + "=" + v).Array[0, 6]
        .Select(pairs => "?" + string.Join("&", pairs));

    [Fact]
    public void Every_parameter_is_refused_by_name_or_accepted_as_a_value_that_round_trips() =>
        FuzzBudget.Run(QueryString, AssertParses, q => q);

    [Fact]
    public void A_cursor_handed_out_reads_back_as_the_same_cursor() =>
        FuzzBudget.Run(Gen.Select(Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks], HostileInput.Text(20)),
            t =>
            {
                var cursor = new SearchCursor(new DateTimeOffset(t.Item1, TimeSpan.Zero), t.Item2);
                var decoded = SearchCursor.TryDecode(cursor.Encode(), out var read);
                if (t.Item2.Length > 0 && StorableValues.ProblemWithText(t.Item2) is null)
                {
                    // An id PostgreSQL stores: the cursor after that event comes back as it was handed out.
                    Assert.True(decoded);
                    Assert.Equal(cursor, read);
                }
                else if (decoded)
                {
                    // Any other (a client may make up cursors too) is refused, or read as an id PostgreSQL can be sent.
                    Assert.Null(StorableValues.ProblemWithText(read!.Id));
                }
            });

    public static TheoryData<string> Corpus => FuzzCorpus.Names("query");

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_corpus_parses_to_expected_outcomes(string name)
    {
        foreach (var line in Encoding.UTF8.GetString(FuzzCorpus.Read("query", name)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            AssertParses(line.TrimEnd('\r'));
        }
    }

    private static void AssertParses(string queryString)
    {
        var query = new QueryCollection(QueryHelpers.ParseQuery(queryString));

        var errors = new QueryErrors();
        var request = LogSearchRequest.Parse(query, Now, errors);
        var refused = errors.ToDictionary();

        if (!refused.ContainsKey("from") && !refused.ContainsKey("to"))
        {
            Assert.True(request.Filter.From < request.Filter.To);
            foreach (var name in new[] { "from", "to" })
            {
                var time = QueryParameters.Time(query, name, new QueryErrors());
                if (time is { } t)
                {
                    Assert.Equal(t, QueryParameters.Time(Query(name, t.ToString("O", CultureInfo.InvariantCulture)), name, new QueryErrors()));
                }
            }
        }

        if (!refused.ContainsKey("limit"))
        {
            Assert.InRange(request.Limit, 1, LogSearchRequest.MaxLimit);
            Assert.Equal(request.Limit, QueryParameters.Int(Query("limit", request.Limit.ToString(CultureInfo.InvariantCulture)), "limit", -1, 1,
                LogSearchRequest.MaxLimit, new QueryErrors()));
        }

        if (!refused.ContainsKey("level") && !refused.ContainsKey("minLevel"))
        {
            Assert.All(request.Filter.Levels, l => Assert.Contains(l, Logbus.Storage.LogLevels.All));
            Assert.Equal(request.Filter.Levels, QueryParameters.Levels(Query("level", string.Join(",", request.Filter.Levels)), "level", null,
                new QueryErrors()));
        }

        var texts = new (string Name, IEnumerable<string?> Values)[]
        {
            ("source", request.Filter.Sources), ("q", [request.Filter.Text]), ("traceId", [request.Filter.TraceId]),
        };
        foreach (var (name, values) in texts)
        {
            if (!refused.ContainsKey(name))
            {
                Assert.All(values.OfType<string>(), t => Assert.Null(StorableValues.ProblemWithText(t)));
            }
        }

        if (!refused.ContainsKey("cursor") && request.After is { } cursor)
        {
            Assert.Null(StorableValues.ProblemWithText(cursor.Id));
            Assert.True(SearchCursor.TryDecode(cursor.Encode(), out var again));
            Assert.Equal(cursor, again);
        }

        foreach (var condition in request.Filter.Metadata.Where(c => !refused.ContainsKey("meta." + c.Path)))
        {
            foreach (var document in condition.ContainmentDocuments())
            {
                using var json = JsonDocument.Parse(document);
                Assert.Null(StorableValues.ProblemWithJson(json.RootElement, 64));
            }
        }
    }

    private static QueryCollection Query(string name, string value) => new(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
    {
        [name] = value,
    });
}
