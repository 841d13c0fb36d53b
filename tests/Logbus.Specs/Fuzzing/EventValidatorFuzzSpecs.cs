extern alias api;

using System.Text;
using api::Logbus.Api.Ingest.Decoding;
using CsCheck;

namespace Logbus.Specs.Fuzzing;

/// <summary>Logbus's JSON routes: whatever the body, a 400 naming the problem or events PostgreSQL stores.</summary>
[Trait("Kind", "Unit")]
public sealed class EventValidatorFuzzSpecs
{
    private static readonly Gen<string> Hex = Gen.Frequency(
        (3, Gen.Char["0123456789abcdefABCDEF"].Array[32].Select(c => HostileInput.Literal(new string(c)))),
        (2, Gen.Char["0123456789abcdef"].Array[16].Select(c => HostileInput.Literal(new string(c)))),
        (1, HostileInput.JsonValue));

    private static readonly Gen<string> Field = Gen.Frequency(
        (4, HostileInput.Text(20).Select(HostileInput.Literal)),
        (1, HostileInput.JsonValue));

    /// <summary>An event object: each field present or not, mostly plausible, sometimes hostile.</summary>
    private static readonly Gen<string> Event = Gen.Select(
        Gen.Select(
            Gen.Frequency((2, Gen.Const("")), (1, Field.Select(v => "\"id\":" + v))),
            Gen.Frequency((1, Gen.Const("")), (3, HostileInput.Timestamp(AcceptedEvents.Now).Select(v => "\"timestamp\":" + v))),
            Gen.Frequency((1, Gen.Const("")),
                (2, Gen.OneOf("\"INFO\"", "\"Warning\"", "\"loud\"", "\"\\ud800\"", "7").Select(v => "\"level\":" + v))),
            Gen.Frequency((1, Gen.Const("")), (6, Field.Select(v => "\"message\":" + v)))),
        Gen.Select(
            Gen.Frequency((1, Gen.Const("")), (6, Field.Select(v => "\"source\":" + v))),
            Gen.Frequency((1, Gen.Const("")), (2, HostileInput.JsonObject.Select(v => "\"metadata\":" + v)),
                (1, HostileInput.JsonValue.Select(v => "\"Metadata\":" + v))),
            Gen.Frequency((3, Gen.Const("")), (1, Hex.Select(v => "\"traceId\":" + v)), (1, Hex.Select(v => "\"spanId\":" + v))),
            Gen.Frequency((2, Gen.Const("")), (1, Field.Select(v => "\"exception\":" + v)))),
        (a, b) => "{" + string.Join(",",
            new[] { a.Item1, a.Item2, a.Item3, a.Item4, b.Item1, b.Item2, b.Item3, b.Item4 }.Where(f => f.Length > 0)) + "}");

    /// <summary>A body: the event as UTF-8, now and then with one byte broken (so not UTF-8, or not JSON).</summary>
    private static readonly Gen<byte[]> Body = HostileInput.Utf8Mutated(Event);

    [Fact]
    public void Single_events_are_refused_with_named_fields_or_accepted_storable() =>
        FuzzBudget.Run(Body, body => AcceptedEvents.Check(JsonEventDecoder.SingleObject, body), Print);

    [Fact]
    public void Batches_are_refused_with_named_fields_or_accepted_storable() =>
        FuzzBudget.Run(Event.Array[0, 8].Select(events => Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]")),
            body => AcceptedEvents.Check(JsonEventDecoder.Array, body), Print);

    /// <summary>The generator is no use if it never makes an event the validator accepts.</summary>
    [Fact]
    public void The_generator_makes_events_that_are_accepted()
    {
        var accepted = 0;
        Body.Sample(body => accepted += AcceptedEvents.Check(JsonEventDecoder.SingleObject, body), iter: 2_000, threads: 1);
        Assert.InRange(accepted, 10, 2_000);
    }

    public static TheoryData<string> Corpus => FuzzCorpus.Names("events");

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_corpus_has_only_expected_outcomes(string name)
    {
        var body = FuzzCorpus.Read("events", name);
        AcceptedEvents.Check(body.AsSpan().TrimStart(" \t\r\n"u8).StartsWith("["u8) ? JsonEventDecoder.Array : JsonEventDecoder.SingleObject, body);
    }

    internal static string Print(byte[] body) => Encoding.UTF8.GetString(body);
}
