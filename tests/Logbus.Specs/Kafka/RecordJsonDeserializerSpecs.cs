using System.Runtime.Serialization;
using System.Text;
using Logbus.Contracts;
using Logbus.Messaging.Kafka.Serialization;
using MassTransit;
using MassTransit.Serialization;

namespace Logbus.Specs.Kafka;

/// <summary>
/// Topic endpoints read raw JSON records with <see cref="RecordJsonDeserializer"/>: the same messages as MassTransit's
/// raw JSON deserializer, without first parsing the whole record into a JsonElement.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class RecordJsonDeserializerSpecs
{
    private const RawSerializerOptions Options = RawSerializerOptions.AddTransportHeaders;

    [Fact]
    public void A_chunk_reads_as_the_same_message_MassTransits_raw_JSON_deserializer_gives()
    {
        var record = Chunk(200);

        var direct = Read(new RecordJsonDeserializer(Options), record);
        var parsedFirst = Read(new SystemTextJsonRawMessageSerializer(Options), record);

        Assert.Equal(200, direct.Events.Count);
        Assert.Equal((parsedFirst.ChunkId, parsedFirst.ImportId, parsedFirst.ChunkNumber), (direct.ChunkId, direct.ImportId, direct.ChunkNumber));
        Assert.Equal(parsedFirst.Events.Select(Fields), direct.Events.Select(Fields));
        Assert.Equal("""{"n":1e999999,"s":"\ud800","nested":{"i":7}}""", direct.Events[7].Metadata!.Value.GetRawText());
    }

    [Fact]
    public void A_large_chunk_is_read_without_a_copy_of_the_whole_record()
    {
        var record = Chunk(2_000);
        Assert.True(record.Length > 500_000);
        // Both once first, so neither pays for first-time set-up below.
        Read(new RecordJsonDeserializer(Options), record);
        Read(new SystemTextJsonRawMessageSerializer(Options), record);

        var direct = Allocated(() => Read(new RecordJsonDeserializer(Options), record));
        var parsedFirst = Allocated(() => Read(new SystemTextJsonRawMessageSerializer(Options), record));

        // Parsing first copies the record and builds a token table over it before the message is made.
        Assert.True(direct + record.Length < parsedFirst,
            $"read directly: {direct:N0} bytes allocated; parsed first: {parsedFirst:N0}; the record: {record.Length:N0}");
    }

    [Fact]
    public void A_record_that_is_not_JSON_fails_in_deserialization_before_any_consumer_sees_it()
    {
        var deserializer = new RecordJsonDeserializer(Options);

        foreach (var record in new[] { "not json at all", """{"chunkId":""", """{"a":1} {"b":2}""" })
        {
            Assert.Throws<SerializationException>(() =>
                deserializer.Deserialize(new BytesMessageBody(Encoding.UTF8.GetBytes(record)), new DictionarySendHeaders()));
        }
    }

    [Fact]
    public void What_MassTransits_deserializer_reads_this_one_reads_too_trailing_commas_and_comments_included()
    {
        var record = Encoding.UTF8.GetBytes($$"""
            {"chunkId":"{{Guid.NewGuid()}}", /* a producer's comment */ "events":[],}
            """);

        Assert.Equal(Read(new SystemTextJsonRawMessageSerializer(Options), record), Read(new RecordJsonDeserializer(Options), record),
            (a, b) => a.ChunkId == b.ChunkId && a.Events.Count == b.Events.Count);
    }

    [Fact]
    public void A_record_that_names_another_message_type_is_not_read_as_this_one()
    {
        var headers = new DictionarySendHeaders();
        headers.Set(MessageHeaders.MessageType, MessageUrn.ForTypeString<LogEventsStored>());
        var context = new RecordJsonDeserializer(Options).Deserialize(new BytesMessageBody(Chunk(1)), headers);

        Assert.False(context.TryGetMessage<LogEventsAccepted>(out _));
    }

    private static LogEventsAccepted Read(IMessageDeserializer deserializer, byte[] record)
    {
        var context = deserializer.Deserialize(new BytesMessageBody(record), new DictionarySendHeaders());
        Assert.True(context.TryGetMessage<LogEventsAccepted>(out var message));
        return message!;
    }

    /// <summary>Every field, the metadata as its JSON text (it holds a lone surrogate, which cannot be serialized again).</summary>
    private static object Fields(AcceptedLogEvent e) =>
        (e.Id, e.Timestamp, e.Level, e.Message, e.Source, e.Metadata?.GetRawText(), e.TraceId, e.SpanId, e.Exception, e.ReceivedAt);

    private static long Allocated(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static byte[] Chunk(int events)
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        var items = Enumerable.Range(0, events).Select(i => $$$"""
            {"id":"e-{{{i}}}","timestamp":"{{{now}}}","level":"INFO","message":"event {{{i}}} with some text to make it a realistic size",
             "source":"deserializer-spec","metadata":{"n":1e999999,"s":"\ud800","nested":{"i":{{{i}}}}},"traceId":null,"spanId":null,
             "exception":null,"receivedAt":"{{{now}}}"}
            """);
        return Encoding.UTF8.GetBytes(
            $$"""{"chunkId":"{{Guid.NewGuid()}}","importId":null,"chunkNumber":null,"events":[{{string.Join(',', items)}}]}""");
    }
}
