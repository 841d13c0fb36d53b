extern alias api;

using System.Text.Json;
using api::Logbus.Api.Ingest;
using Logbus.Contracts;
using MassTransit.Serialization;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Unit")]
public sealed class EventChunkerSpecs
{
    [Fact]
    public void Chunks_hold_at_most_the_event_limit_and_keep_the_order()
    {
        var events = Enumerable.Range(0, 2_501).Select(i => Event(i.ToString(System.Globalization.CultureInfo.InvariantCulture), 10)).ToList();

        var chunks = EventChunker.Chunk(events, maxEvents: 1000, maxBytes: int.MaxValue);

        Assert.Equal([1000, 1000, 501], chunks.Select(c => c.Count));
        Assert.Equal(events, chunks.SelectMany(c => c));
    }

    [Fact]
    public void Chunks_stay_under_the_byte_limit_and_an_oversized_event_travels_alone()
    {
        var events = new[] { Event("a", 300_000), Event("b", 300_000), Event("c", 600_000), Event("d", 10) };

        var chunks = EventChunker.Chunk(events, maxEvents: 1000, maxBytes: 512 * 1024);

        Assert.Equal([["a"], ["b"], ["c", ], ["d"]], chunks.Select(c => c.Select(e => e.Id).ToArray()));
        Assert.All(chunks.Where(c => c.Count > 1), c => Assert.True(c.Sum(EventChunker.SizeOf) <= 512 * 1024));
    }

    [Fact]
    public void An_event_is_measured_as_its_JSON_is_produced_escapes_and_nesting_included()
    {
        var plain = Event("p", 10_000);
        var escaped = Event("e", 0) with { Message = new string('\u0001', 10_000) };

        // Six bytes per escaped character, as the record carries it; raw UTF-8 would have said one.
        Assert.InRange(EventChunker.SizeOf(escaped) - EventChunker.SizeOf(plain), 50_000, 50_100);
        var chunks = EventChunker.Chunk([escaped, escaped, escaped], maxEvents: 1000, maxBytes: 100_000);
        Assert.Equal([1, 1, 1], chunks.Select(c => c.Count));
    }

    [Fact]
    public void An_event_measures_what_the_serializer_writes_for_it_plus_a_comma()
    {
        using var metadata = JsonDocument.Parse("""{"user":{"id":7,"tags":["a","\u00e9",null]},"note":"<tag> & 'quote' \u2028"}""");
        var events = new[]
        {
            Event("plain", 100),
            Event("escaped", 0) with { Message = "tab\t, quote \", control \u0001, emoji \ud83d\ude00, accents àé" },
            Event("nested", 10) with { Metadata = metadata.RootElement.Clone(), TraceId = "0af7651916cd43dd8448eb211c80319c" },
            Event("lone-surrogate", 0) with { Message = "half \ud800 of a pair" },
        };

        Assert.All(events, e =>
            Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(e, SystemTextJsonMessageSerializer.Options).Length + 1, EventChunker.SizeOf(e)));
    }

    [Theory]
    [InlineData(2_000)]
    [InlineData(60_000)] // the writer asks for three bytes a character: a scratch array past the large-object threshold
    public void Measuring_an_event_allocates_no_copy_of_its_JSON(int messageLength)
    {
        var e = Event("m", messageLength);
        EventChunker.SizeOf(e);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            EventChunker.SizeOf(e);
        }

        // A serialized copy (or a scratch array) per measurement would be over 2 MB.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 * 1024);
    }

    [Fact]
    public void Chunks_are_cut_by_the_sizes_a_caller_measured_already()
    {
        var events = new[] { Event("a", 10), Event("b", 10), Event("c", 10) };

        var chunks = EventChunker.Chunk(events, maxEvents: 1000, maxBytes: 1_000, sizes: [600, 300, 600]);

        Assert.Equal([["a", "b"], ["c"]], chunks.Select(c => c.Select(x => x.Id).ToArray()));
        Assert.Throws<ArgumentException>(() => EventChunker.Chunk(events, maxEvents: 1000, maxBytes: 1_000, sizes: [600]));
    }

    private static AcceptedLogEvent Event(string id, int messageBytes) =>
        new(id, DateTimeOffset.UnixEpoch, "INFO", new string('x', messageBytes), "s", null, null, null, null, DateTimeOffset.UnixEpoch);
}
