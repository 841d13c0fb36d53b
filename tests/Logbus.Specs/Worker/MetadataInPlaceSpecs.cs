extern alias worker;

using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Logbus.Contracts;
using Logbus.Messaging.Kafka.Serialization;
using worker::Logbus.Worker.Messaging;
using MassTransit;
using MassTransit.Serialization;

namespace Logbus.Specs.Worker;

/// <summary>
/// An event's metadata travels as the text it was sent as (<see cref="JsonText"/>), and the Worker reads it as a slice of
/// its record (<see cref="InPlaceJsonTextConverter"/>) instead of parsing it into a document per event.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class MetadataInPlaceSpecs
{
    private const string Sent = """{"word":"caf\u00e9 <b>","n":1.50e3,"deep":{"list":[1,2,{"y":null}]},"lone":"\ud800"}""";

    [Fact]
    public void Metadata_is_written_into_a_message_as_the_text_it_was_sent_as()
    {
        var e = Event(0) with { Metadata = new JsonText(Encoding.UTF8.GetBytes(Sent)) };

        var json = JsonSerializer.Serialize(new LogEventsAccepted(Guid.NewGuid(), null, null, [e]),
            new JsonSerializerOptions(SystemTextJsonMessageSerializer.Options) { WriteIndented = false });

        // Serialized again from a parsed element, é and < would be escaped anew and the lone surrogate would fail the chunk.
        Assert.Contains("\"metadata\":" + Sent, json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Worker_reads_each_events_metadata_as_a_slice_of_its_record_holding_the_text_as_sent()
    {
        var record = Record(50);
        // As the Worker's log-events endpoint configures its deserializer.
        var deserializer = new RecordJsonDeserializer(RawSerializerOptions.AddTransportHeaders);
        deserializer.ConfigureJsonOptions(InPlaceJsonTextConverter.AddTo);

        var context = deserializer.Deserialize(new BytesMessageBody(record), new DictionarySendHeaders());
        Assert.True(context.TryGetMessage<LogEventsAccepted>(out var chunk));

        Assert.Equal(50, chunk!.Events.Count);
        foreach (var (e, i) in chunk.Events.SkipLast(1).Select((e, i) => (e, i)))
        {
            Assert.True(MemoryMarshal.TryGetArray(e.Metadata!.Utf8, out var slice));
            Assert.Same(record, slice.Array);
            Assert.Equal(MetadataOf(i), e.Metadata.GetRawText());
            Assert.Equal(i, e.Metadata.Value.GetProperty("i").GetInt32());
        }

        Assert.Null(chunk.Events[^1].Metadata);
        Assert.DoesNotContain(SystemTextJsonMessageSerializer.Options.Converters, c => c is InPlaceJsonTextConverter);
    }

    [Fact]
    public void A_deserializer_left_on_the_shared_options_copies_metadata_out_of_the_record()
    {
        var record = Record(3);

        var context = new RecordJsonDeserializer(RawSerializerOptions.AddTransportHeaders)
            .Deserialize(new BytesMessageBody(record), new DictionarySendHeaders());
        Assert.True(context.TryGetMessage<LogEventsAccepted>(out var chunk));

        Assert.True(MemoryMarshal.TryGetArray(chunk!.Events[0].Metadata!.Utf8, out var copy));
        Assert.NotSame(record, copy.Array);
        Assert.Equal(MetadataOf(0), chunk.Events[0].Metadata!.GetRawText());
    }

    [Theory]
    [InlineData("\"a string, with \\\"quotes\\\"\"")]
    [InlineData("-1.5e3")]
    [InlineData("true")]
    [InlineData("[1,[2,{\"x\":[]}]]")]
    public void Metadata_that_is_not_an_object_is_read_in_place_as_its_text_too(string value)
    {
        // The Api refuses such metadata; a producer that bypassed it gets it to the Worker, whose own check decides.
        var now = DateTimeOffset.UtcNow.ToString("O");
        var record = Encoding.UTF8.GetBytes($$"""
            {"chunkId":"{{Guid.NewGuid()}}","events":[{"id":"e","timestamp":"{{now}}","level":"INFO","message":"m","source":"s",
             "metadata":{{value}},"receivedAt":"{{now}}"}]}
            """);

        var options = InPlaceJsonTextConverter.AddTo(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        LogEventsAccepted chunk;
        using (RecordBeingRead.Begin(record))
        {
            chunk = JsonSerializer.Deserialize<LogEventsAccepted>(record, options)!;
        }

        var metadata = chunk.Events[0].Metadata!;
        Assert.Equal(value, metadata.GetRawText());
        Assert.True(MemoryMarshal.TryGetArray(metadata.Utf8, out var slice));
        Assert.Same(record, slice.Array);
    }

    [Fact]
    public void Metadata_read_from_other_bytes_than_the_record_being_read_is_copied_from_what_is_read()
    {
        var options = InPlaceJsonTextConverter.AddTo(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var record = Record(3);
        var other = Record(3);
        other.AsSpan().Replace((byte)'{', (byte)' ');

        LogEventsAccepted fromElsewhere;
        using (RecordBeingRead.Begin(other))
        {
            fromElsewhere = JsonSerializer.Deserialize<LogEventsAccepted>(record, options)!;
        }

        var withoutRecord = JsonSerializer.Deserialize<LogEventsAccepted>(record, options)!;

        foreach (var chunk in new[] { fromElsewhere, withoutRecord })
        {
            Assert.True(MemoryMarshal.TryGetArray(chunk.Events[1].Metadata!.Utf8, out var copy));
            Assert.NotSame(record, copy.Array);
            Assert.NotSame(other, copy.Array);
            Assert.Equal(MetadataOf(1), chunk.Events[1].Metadata!.GetRawText());
        }
    }

    private static string MetadataOf(int i) => Sent.Replace("\"n\":", $"\"i\":{i},\"n\":", StringComparison.Ordinal);

    // The last event has no metadata.
    private static byte[] Record(int events)
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        var items = Enumerable.Range(0, events).Select(i => $$"""
            {"id":"e-{{i}}","timestamp":"{{now}}","level":"INFO","message":"event {{i}}","source":"in-place-spec",
             "metadata":{{(i == events - 1 ? "null" : MetadataOf(i))}},"receivedAt":"{{now}}"}
            """);
        return Encoding.UTF8.GetBytes(
            $$"""{"chunkId":"{{Guid.NewGuid()}}","importId":null,"chunkNumber":null,"events":[{{string.Join(',', items)}}]}""");
    }

    private static AcceptedLogEvent Event(int i) =>
        new($"e-{i}", DateTimeOffset.UtcNow, "INFO", $"event {i}", "in-place-spec", null, null, null, null, DateTimeOffset.UtcNow);
}
