extern alias api;

using System.Text;
using System.Text.Json;
using api::Logbus.Api.Ingest;
using api::Logbus.Api.Ingest.Decoding;
using api::Logbus.Api.Seq;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Ingest;

/// <summary>Each wire format decodes to events with the source they get by default, or says what shape to send.</summary>
[Trait("Kind", "Unit")]
public sealed class EventDecoderSpecs
{
    private static readonly IOptions<IngestOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new IngestOptions { DefaultClefSource = "seq-default" });

    [Fact]
    public void A_single_object_is_one_event_with_the_key_source_as_default()
    {
        using var decoded = JsonEventDecoder.SingleObject.Decode(Body("""{"message":"m","source":"s"}"""), "key-source");

        Assert.Null(decoded.WrongShape);
        var (e, source) = Assert.Single(decoded.Events);
        Assert.Equal("m", e.Message?.GetString());
        Assert.Equal("key-source", source);
    }

    [Theory]
    [InlineData("[]", "one event as a JSON object")]
    [InlineData("42", "one event as a JSON object")]
    public void The_single_route_names_the_shape_it_takes(string body, string expected)
    {
        using var decoded = JsonEventDecoder.SingleObject.Decode(Body(body), null);

        Assert.Contains(expected, decoded.WrongShape);
        Assert.Empty(decoded.Events);
    }

    [Fact]
    public void An_array_names_the_first_element_that_is_not_an_event()
    {
        using var decoded = JsonEventDecoder.Array.Decode(Body("""[{"message":"a"},{"message":"b"},7]"""), null);

        Assert.Contains("element 2 is not", decoded.WrongShape);
    }

    [Fact]
    public void An_array_is_one_event_per_element()
    {
        using var decoded = JsonEventDecoder.Array.Decode(Body("""[{"message":"a"},{"message":"b"}]"""), null);

        Assert.Equal(["a", "b"], decoded.Events.Select(e => e.Event.Message?.GetString()));
        Assert.All(decoded.Events, e => Assert.Null(e.DefaultSource));
    }

    [Fact]
    public void Malformed_json_is_a_json_exception()
    {
        Assert.ThrowsAny<JsonException>(() => JsonEventDecoder.Array.Decode(Body("[{"), null));
    }

    [Fact]
    public void Clef_lines_take_their_source_from_a_property_else_the_key_else_the_default()
    {
        var clef = new ClefDecoder(Options);
        var body = "{\"@mt\":\"a\",\"Application\":\"shop\"}\r\n\n{\"@mt\":\"b\"}\n";

        using var withKey = clef.Decode(Body(body), "key-source");
        using var withoutKey = clef.Decode(Body(body), null);

        Assert.Equal(["shop", "key-source"], withKey.Events.Select(e => e.DefaultSource));
        Assert.Equal(["shop", "seq-default"], withoutKey.Events.Select(e => e.DefaultSource));
    }

    [Fact]
    public void A_bad_clef_line_is_named_by_its_number()
    {
        var e = Assert.ThrowsAny<JsonException>(() => new ClefDecoder(Options).Decode(Body("{\"@mt\":\"a\"}\n\n[1]\n"), null));

        Assert.StartsWith("CLEF line 3:", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t")]
    public void A_blank_seq_body_is_an_empty_batch(string body)
    {
        using var clef = new ClefDecoder(Options).Decode(Body(body), null);
        using var json = new SeqJsonDecoder(Options).Decode(Body(body), null);

        Assert.Empty(clef.Events);
        Assert.Null(clef.WrongShape);
        Assert.Empty(json.Events);
        Assert.Null(json.WrongShape);
    }

    [Fact]
    public void Seq_json_without_an_events_array_names_both_formats()
    {
        using var decoded = new SeqJsonDecoder(Options).Decode(Body("""{"events":[]}"""), null);

        Assert.Contains("{\"Events\":[…]}", decoded.WrongShape);
        Assert.Contains("CLEF", decoded.WrongShape);
    }

    private static ReadOnlyMemory<byte> Body(string text) => Encoding.UTF8.GetBytes(text);
}
