extern alias api;

using System.Globalization;
using api::Logbus.Api.Ingest;

namespace Logbus.Specs.Ingest;

/// <summary>
/// The id an event without one gets: a UUIDv7 as RFC 9562 lays it out (and as the runtime's own generator does), so that
/// ids sort by the event's millisecond and never repeat.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class EventIdsSpecs
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public void An_id_is_version_7_with_the_RFC_variant_and_the_event_time_in_its_first_48_bits()
    {
        var id = EventIds.NewVersion7(At);

        Assert.Equal(7, id.Version);
        Assert.Equal(0x80, id.ToByteArray(bigEndian: true)[8] & 0xC0);
        var text = id.ToString("N");
        Assert.Equal(At.ToUnixTimeMilliseconds(), long.Parse(text[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_time_part_matches_the_runtimes_own_version_7()
    {
        // The runtime's generator is the reference layout; the random parts differ.
        Assert.Equal(Guid.CreateVersion7(At).ToString()[..14], EventIds.NewVersion7(At).ToString()[..14]);
    }

    [Fact]
    public void Ids_sort_by_their_millisecond()
    {
        var earlier = EventIds.NewVersion7(At).ToString();
        var later = EventIds.NewVersion7(At.AddMilliseconds(1)).ToString();

        Assert.True(string.CompareOrdinal(earlier, later) < 0, $"{earlier} sorts before {later}");
    }

    [Fact]
    public void A_million_ids_of_one_millisecond_from_four_threads_are_all_different()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 250_000; i++)
            {
                ids.Add(EventIds.NewVersion7(At));
            }
        });

        Assert.Equal(1_000_000, ids.Distinct().Count());
    }

    [Fact]
    public void A_time_before_1970_is_named_as_1970()
    {
        var id = EventIds.NewVersion7(new DateTimeOffset(1969, 7, 20, 20, 17, 0, TimeSpan.Zero));

        Assert.StartsWith("00000000-0000-7", id.ToString(), StringComparison.Ordinal);
    }
}
