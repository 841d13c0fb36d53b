using System.Text.Json;
using Logbus.Specs.Infrastructure;
using Logbus.Storage.Writing;
using Npgsql;

namespace Logbus.Specs.Storage;

/// <summary>
/// What Logbus calls storable is what PostgreSQL stores: each JSON value is put to PostgreSQL's own jsonb input and
/// the verdicts must agree, so an event the Api accepts never fails the Worker's insert (and its chunk) later.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class StorableValuesSpecs(StorableValuesSpecs.Database database) : IClassFixture<StorableValuesSpecs.Database>
{
    public static TheoryData<string> Values()
    {
        var data = new TheoryData<string>();
        string[] numbers =
        [
            "0", "-0", "1", "-1", "12.5", "1e10", "1E+10", "1e-10", "0.000001", "-0.0e5", "1e-0",
            "1e1001", "1e131071", "1e131072", "123e131069", "123e131070", "0.00001e131076", "0.00001e131077",
            "1e-16383", "1e-16384", "0.5e-16383", "1.5e-16382", "0.0000e-16383", "1e-131072",
            "0e999999", "0e-999999", "0e1073741822", "0e1073741823", "1e2147483648", "1e99999999999999999999",
            "1e999999", "-1e999999", "1e-999999",
            "0." + new string('1', 16_383), "0." + new string('1', 16_384), "1." + new string('0', 16_383) + "e0",
            new string('9', 60_000), new string('9', 60_000) + "e71072", new string('9', 60_000) + "e71073",
        ];
        foreach (var number in numbers)
        {
            data.Add($$"""{"n":{{number}}}""");
        }

        data.Add("""{"k":"\ud800"}""");
        data.Add("""{"k":"\udc00x"}""");
        data.Add("""{"k":"\ud83d\ude00"}""");
        data.Add("""{"\ud800":"v"}""");
        data.Add("""{"k":"a\u0000b"}""");
        data.Add("""{"\u0000":"v"}""");
        data.Add("""{"k":["ok", {"deep":"\ud800"}]}""");
        data.Add("""{"k":"ümlaut ✓ 𝄞"}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task A_json_value_is_storable_exactly_when_PostgreSQL_jsonb_takes_it(string json)
    {
        var postgresTakesIt = await PostgresTakesAsync(database.Db, json);

        using var document = JsonDocument.Parse(json);
        var problem = StorableValues.ProblemWithJson(document.RootElement, maxDepth: 16);

        Assert.True(postgresTakesIt == problem is null,
            $"PostgreSQL {(postgresTakesIt ? "takes" : "refuses")} {Shorten(json)}, but Logbus says: {problem ?? "storable"}");
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task A_storable_number_counts_as_long_as_PostgreSQL_writes_it_back(string json)
    {
        if (!json.StartsWith("{\"n\":", StringComparison.Ordinal)
            || StorableValues.ProblemWithJson(System.Text.Encoding.UTF8.GetBytes(json), maxDepth: 16, out var counted) is not null)
        {
            return;
        }

        var number = json[5..^1];
        var written = await database.Db.ScalarAsync<string>("SELECT ((@p::text)::jsonb -> 'n')::text", ("p", json));
        var length = StorableValues.WrittenOutLength(System.Text.Encoding.ASCII.GetBytes(number));

        // A negative zero is written back as 0: counted one longer, never shorter.
        Assert.True(length == written.Length || (length == written.Length + 1 && number.StartsWith('-')),
            $"{Shorten(number)} counted as {length:N0} characters, written back as {written.Length:N0}");
        // A number written back shorter than it was sent counts as sent.
        Assert.Equal(json.Length + Math.Max(0, length - number.Length), counted);
    }

    [Fact]
    public void Text_is_storable_without_NUL_and_with_every_surrogate_paired()
    {
        // Built here rather than passed as theory data: a lone surrogate does not survive the runner's serialization.
        const char high = '\ud83d', low = '\ude00';
        (string Text, bool Storable)[] cases =
        [
            ("plain", true), ("nul \0 inside", false), ($"pair {high}{low}", true), ($"lone {high} x", false),
            ($"low first {low}{high}", false), ($"ends high {high}", false), ($"{low}", false),
        ];

        Assert.All(cases, c => Assert.True(c.Storable == StorableValues.ProblemWithText(c.Text) is null,
            $"{c.Text.Length} chars: expected {c.Storable}"));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_named()
    {
        using var document = JsonDocument.Parse(new string('[', 17) + new string(']', 17));
        using var atTheLimit = JsonDocument.Parse(new string('[', 16) + new string(']', 16));

        Assert.Equal("must nest at most 16 levels deep", StorableValues.ProblemWithJson(document.RootElement, maxDepth: 16));
        Assert.Null(StorableValues.ProblemWithJson(atTheLimit.RootElement, maxDepth: 16));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, false)]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, false)] // a surrogate, which UTF-8 may not encode
    [InlineData(new byte[] { 0xC3, 0xBC }, true)] // ü
    public void Bytes_that_are_not_UTF_8_are_refused_in_a_string_and_in_a_name(byte[] bytes, bool valid)
    {
        byte[] inString = [.. "{\"k\":\"a"u8.ToArray(), .. bytes, .. "\"}"u8.ToArray()];
        byte[] inName = [.. "{\"a"u8.ToArray(), .. bytes, .. "\":1}"u8.ToArray()];

        Assert.Equal(valid, StorableValues.ProblemWithJson(inString, maxDepth: 16, out _) is null);
        Assert.Equal(valid, StorableValues.ProblemWithJson(inName, maxDepth: 16, out _) is null);
    }

    [Theory]
    [InlineData("""{"k":1,}""")]
    [InlineData("""{"k":/* a comment */1}""")]
    public void A_value_a_lenient_reader_kept_comments_or_trailing_commas_in_is_refused(string json)
    {
        // The Worker reads records leniently; such text would make PostgreSQL refuse the whole chunk.
        Assert.NotNull(StorableValues.ProblemWithJson(System.Text.Encoding.UTF8.GetBytes(json), maxDepth: 16, out _));
    }

    private static async Task<bool> PostgresTakesAsync(SpecDatabase db, string json)
    {
        try
        {
            await db.ScalarAsync<string>("SELECT (@p::text)::jsonb::text", ("p", json));
            return true;
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // Class 22, data exception: numeric overflow, invalid text representation, untranslatable character.
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    /// <summary>One database for every value: the question is PostgreSQL's input functions, not any table.</summary>
    public sealed class Database : IAsyncLifetime
    {
        internal SpecDatabase Db { get; private set; } = null!;

        public async Task InitializeAsync() => Db = await SpecDatabase.CreateAsync();

        public async Task DisposeAsync() => await Db.DisposeAsync();
    }
}
