extern alias api;

using System.Text;
using System.Text.Json;
using api::Logbus.Api.Seq;
using CsCheck;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Fuzzing;

/// <summary>
/// Seq's CLEF route and its message-template renderer: whatever the lines, a 400 naming the line or events PostgreSQL
/// stores; whatever the template, a bounded rendering.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ClefFuzzSpecs
{
    private static readonly ClefDecoder Decoder = new(Options.Create(AcceptedEvents.Limits));

    /// <summary>Templates: text, holes with hostile alignments and formats, stray and doubled braces.</summary>
    private static readonly Gen<string> Template = HostileInput.Pieces(Gen.Frequency(
        (4, Gen.OneOf("User ", " paid ", "{A}", "{B}", "{@A}", "{$B}", "{0}", "{A:0.00}", "{A:l}", "{{", "}}", "{", "}", "{A", "A}")),
        (2, Gen.Select(Gen.OneOf("A", "B", "0", "@A", ""), Gen.OneOf("1000000000", "-2147483648", "2147483647", "-1", "0", "99999999999", "", "x"),
            Gen.OneOf("", ":0.00", ":l", ":", ":{"), (name, width, format) => $"{{{name},{width}{format}}}"))), 40);

    private static readonly Gen<string> Properties = Gen.Select(Gen.OneOf("A", "B", "0", "Application", "@@A", "@i"), HostileInput.JsonValue,
        (name, value) => $"\"{name}\":{value}").Array[0, 4].Select(p => string.Concat(p.Select(m => "," + m)));

    /// <summary>One CLEF line: timestamp, template or message, level, renderings and properties, sometimes not JSON at all.</summary>
    private static readonly Gen<string> Line = Gen.Frequency(
        (8, Gen.Select(HostileInput.Timestamp(AcceptedEvents.Now), Template, Gen.Int[0, 3], HostileInput.Text(6).Array[0, 3], Properties,
            (t, template, shape, renderings, properties) =>
                $"{{\"@t\":{t}" +
                (shape == 0 ? $",\"@m\":{HostileInput.Literal(template)}" : $",\"@mt\":{HostileInput.Literal(template)}") +
                (shape == 2 ? ",\"@l\":\"Warning\",\"@x\":\"boom\"" : "") +
                (renderings.Length > 0 ? $",\"@r\":[{string.Join(",", renderings.Select(HostileInput.Literal))}]" : "") +
                properties + "}")),
        (1, HostileInput.JsonValue),
        (1, HostileInput.Text(20)));

    private static readonly Gen<byte[]> Body = HostileInput.Utf8Mutated(Gen.Select(Line.Array[0, 6], Gen.OneOf("\n", "\r\n", "\n\n"),
        (lines, separator) => string.Join(separator, lines)));

    [Fact]
    public void CLEF_lines_are_refused_naming_the_line_or_accepted_storable() =>
        FuzzBudget.Run(Body, body => AcceptedEvents.Check(Decoder, body), EventValidatorFuzzSpecs.Print);

    /// <summary>
    /// Imports read CLEF a line at a time with the same reader and reject a line it refuses (JsonException): so the reader
    /// refuses with nothing else, or one bad line would fail the whole import.
    /// </summary>
    [Fact]
    public void The_CLEF_reader_refuses_a_line_only_as_JSON_that_is_wrong() =>
        FuzzBudget.Run(HostileInput.Utf8Mutated(Line), AssertLineReads, EventValidatorFuzzSpecs.Print);

    [Fact]
    public void A_template_renders_within_the_bound_and_throws_nothing()
    {
        var renderings = HostileInput.Text(12).Array[0, 3];
        var values = Gen.Dictionary(Gen.OneOf("A", "B", "0", "@A"), HostileInput.JsonValue)[0, 3];
        FuzzBudget.Run(Gen.Select(Template, values, renderings), input => AssertRendersBounded(input.Item1, input.Item2, input.Item3),
            input => input.Item1);
    }

    public static TheoryData<string> ClefCorpus => FuzzCorpus.Names("clef");

    [Theory]
    [MemberData(nameof(ClefCorpus))]
    public void The_CLEF_corpus_has_only_expected_outcomes(string name)
    {
        var body = FuzzCorpus.Read("clef", name);
        AcceptedEvents.Check(Decoder, body);
        foreach (var line in body.AsSpan().Split((byte)'\n'))
        {
            AssertLineReads(body[line]);
        }
    }

    public static TheoryData<string> TemplateCorpus => FuzzCorpus.Names("templates");

    /// <summary>A template file is rendered with A and B set to a short string and one rendering.</summary>
    [Theory]
    [MemberData(nameof(TemplateCorpus))]
    public void The_template_corpus_renders_within_the_bound(string name) =>
        AssertRendersBounded(Encoding.UTF8.GetString(FuzzCorpus.Read("templates", name)),
            new Dictionary<string, string> { ["A"] = "\"short\"", ["B"] = "42" }, ["12.50"]);

    private static void AssertLineReads(byte[] line)
    {
        var reader = new ClefEventReader(AcceptedEvents.Limits);
        try
        {
            // As an import reads it: a line of text, bytes that are not UTF-8 already replaced.
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(line));
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var (incoming, source) = reader.ReadClef(document.RootElement);
                AcceptedEvents.Check(incoming, source ?? "seq");
            }
        }
        catch (JsonException)
        {
            // The line is rejected with its number and the reason.
        }
    }

    private static void AssertRendersBounded(string template, IReadOnlyDictionary<string, string> values, string[] renderings)
    {
        var properties = new Dictionary<string, JsonElement>();
        foreach (var (name, json) in values)
        {
            try
            {
                properties[name] = JsonDocument.Parse(json).RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not a value a CLEF line could carry: left out.
            }
        }

        var rendered = MessageTemplateRenderer.Render(template, name => properties.TryGetValue(name, out var v) ? v : null, renderings);

        Assert.InRange(rendered.Length, 0, MessageTemplateRenderer.MaxRenderedLength);
    }
}
