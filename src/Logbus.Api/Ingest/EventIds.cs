namespace Logbus.Api.Ingest;

/// <summary>
/// The id an event gets when its client sent none: a UUIDv7 (RFC 9562), time-ordered so that a day's ids sit together
/// in the primary key. <see cref="Guid.CreateVersion7(DateTimeOffset)"/> takes its 74 random bits from the operating
/// system's secure generator, one call per id: 8 % of the Api's busy time when every event of an OTLP batch needed one
/// (bench/README.md). An event id is no secret and needs only to be unique, so the bits come from the runtime's shared
/// pseudo-random generator instead (a per-thread xoshiro256** seeded from the operating system). Its ids could be
/// predicted from enough of them; taking one first would also need the event's exact timestamp (the key is id and
/// timestamp), and a client that needs ids no one can guess sends its own.
/// </summary>
public static class EventIds
{
    /// <summary>A UUIDv7 for <paramref name="timestamp"/> (before 1970: at 1970, which is as early as a UUIDv7 can name).</summary>
    public static Guid NewVersion7(DateTimeOffset timestamp)
    {
        var milliseconds = Math.Max(0, timestamp.ToUnixTimeMilliseconds());
        Span<byte> random = stackalloc byte[10];
        Random.Shared.NextBytes(random);
        // unix_ts_ms (48 bits), version 7 (4 bits), rand_a (12 bits), variant 0b10 (2 bits), rand_b (62 bits).
        return new Guid(
            (int)(milliseconds >> 16),
            (short)milliseconds,
            (short)(0x7000 | ((random[0] & 0x0F) << 8) | random[1]),
            (byte)(0x80 | (random[2] & 0x3F)),
            random[3], random[4], random[5], random[6], random[7], random[8], random[9]);
    }
}
