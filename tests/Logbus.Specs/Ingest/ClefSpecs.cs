extern alias api;

using System.Text.Json;
using api::Logbus.Api.Ingest;
using api::Logbus.Api.Seq;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Unit")]
public sealed class ClefSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);
    private readonly ClefEventReader _reader = new(new IngestOptions());
    private readonly EventValidator _validator = new(Options.Create(new IngestOptions()));

    [Fact]
    public void A_Serilog_event_maps_onto_the_event_model()
    {
        var e = Accept("""
            {"@t":"2026-11-24T08:00:01.5000000Z","@mt":"User {UserId} paid {Amount:0.00} in {Elapsed} ms","@r":["12.50"],"@l":"Warning",
             "@x":"System.Exception: boom","@i":"a1b2c3d4","@tr":"4bf92f3577b34da6a3ce929d0e0e4736","@sp":"00f067aa0ba902b7",
             "UserId":"bob","Amount":12.5,"Elapsed":42,"Application":"shop","@@odd":"escaped"}
            """);

        Assert.Equal(new DateTimeOffset(2026, 11, 24, 8, 0, 1, 500, TimeSpan.Zero), e.Timestamp);
        Assert.Equal("User \"bob\" paid 12.50 in 42 ms", e.Message);
        Assert.Equal("WARN", e.Level);
        Assert.Equal("System.Exception: boom", e.Exception);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", e.TraceId);
        Assert.Equal("00f067aa0ba902b7", e.SpanId);
        Assert.Equal("shop", e.Source);
        var metadata = e.Metadata!.Value;
        Assert.Equal("bob", metadata.GetProperty("UserId").GetString());
        Assert.Equal(12.5, metadata.GetProperty("Amount").GetDouble());
        Assert.Equal("escaped", metadata.GetProperty("@odd").GetString());
        Assert.Equal("a1b2c3d4", metadata.GetProperty("@i").GetString());
        Assert.Equal("User {UserId} paid {Amount:0.00} in {Elapsed} ms", metadata.GetProperty("@mt").GetString());
        Assert.False(metadata.TryGetProperty("@t", out _));
    }

    [Fact]
    public void A_rendered_message_wins_over_the_template_and_the_level_defaults_to_information()
    {
        var e = Accept("""{"@t":"2026-11-24T08:00:00Z","@m":"already rendered","@mt":"ignored {X}","X":1}""");

        Assert.Equal("already rendered", e.Message);
        Assert.Equal("INFO", e.Level);
        Assert.Equal("seq", e.Source);
    }

    [Theory]
    [InlineData("Hello {Name}", """{"Name":"World"}""", "Hello \"World\"")]
    [InlineData("Hello {Name:l}", """{"Name":"World"}""", "Hello World")]
    [InlineData("{Count} items, {Ok}", """{"Count":3,"Ok":true}""", "3 items, True")]
    [InlineData("Order {@Order}", """{"Order":{"Id":7}}""", "Order {\"Id\":7}")]
    [InlineData("{{literal}} and {Missing}", "{}", "{literal} and {Missing}")]
    [InlineData("[{Name,6}] [{Name,-6}]", """{"Name":"ab"}""", "[  \"ab\"] [\"ab\"  ]")]
    [InlineData("{$Name} {N:000} {N} {A,x} }", """{"Name":"ab","N":7}""", "\"ab\" 7 7 {A,x} }")]
    public void Templates_render_as_Serilog_renders_them(string template, string properties, string rendered)
    {
        var values = JsonDocument.Parse(properties).RootElement;
        Assert.Equal(rendered, MessageTemplateRenderer.Render(template,
            name => values.TryGetProperty(name, out var v) ? v : null, []));
    }

    [Fact]
    public void Formatted_tokens_take_the_clef_renderings_in_order()
    {
        var values = JsonDocument.Parse("""{"N":7,"M":8}""").RootElement;

        Assert.Equal("007 at 8.0 and {Missing:x}", MessageTemplateRenderer.Render("{N:000} at {M:0.0} and {Missing:x}",
            name => values.TryGetProperty(name, out var v) ? v : null, ["007", "8.0"]));
    }

    [Theory]
    [InlineData("{A,1000000000}")]
    [InlineData("{A,-1000000000}")]
    [InlineData("{A,-2147483648} {A}")]
    [InlineData("{A,2147483647}{A,-2147483647}{A,99999999999}")]
    public void A_hostile_alignment_renders_quickly_within_the_bound_and_never_throws(string template)
    {
        var values = JsonDocument.Parse("""{"A":"x"}""").RootElement;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var rendered = MessageTemplateRenderer.Render(template, name => values.TryGetProperty(name, out var v) ? v : null, []);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.InRange(rendered.Length, 1, 3 * MessageTemplateRenderer.MaxAlignment + template.Length);
    }

    [Fact]
    public void Rendering_stops_at_the_bound_however_often_a_large_property_repeats()
    {
        var large = JsonSerializer.SerializeToElement(new string('x', 100_000));
        var template = string.Concat(Enumerable.Repeat("{A:l}", 10_000));

        var rendered = MessageTemplateRenderer.Render(template, _ => large, []);

        Assert.Equal(MessageTemplateRenderer.MaxRenderedLength, rendered.Length);
    }

    [Fact]
    public void Parsing_is_linear_in_the_template_length()
    {
        var template = string.Concat(Enumerable.Repeat("{ {A", 100_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var rendered = MessageTemplateRenderer.Render(template, _ => null, []);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal(template, rendered);
    }

    [Fact]
    public void Seqs_classic_json_maps_the_same_way()
    {
        var classic = JsonDocument.Parse("""
            {"Timestamp":"2026-11-24T08:00:00Z","Level":"Error","MessageTemplate":"Failed {Count} times","Exception":"E",
             "Properties":{"Count":3,"Application":"billing","TraceId":"4bf92f3577b34da6a3ce929d0e0e4736"}}
            """).RootElement;
        var (incoming, source) = _reader.ReadClassic(classic);
        var errors = new List<FieldError>();
        var e = _validator.Validate(incoming, source, Now, errors);

        Assert.Empty(errors);
        Assert.Equal("Failed 3 times", e!.Message);
        Assert.Equal("ERROR", e.Level);
        Assert.Equal("billing", e.Source);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", e.TraceId);
    }

    private Logbus.Contracts.AcceptedLogEvent Accept(string line)
    {
        var (incoming, source) = _reader.ReadClef(JsonDocument.Parse(line).RootElement);
        var errors = new List<FieldError>();
        var accepted = _validator.Validate(incoming, source ?? "seq", Now, errors);
        Assert.Empty(errors);
        return accepted!;
    }
}
