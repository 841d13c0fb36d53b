extern alias api;

using api::Logbus.Api.Ingest;
using Logbus.Contracts;

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

    private static AcceptedLogEvent Event(string id, int messageBytes) =>
        new(id, DateTimeOffset.UnixEpoch, "INFO", new string('x', messageBytes), "s", null, null, null, null, DateTimeOffset.UnixEpoch);
}
