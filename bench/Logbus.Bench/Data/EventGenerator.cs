using System.Globalization;

namespace Logbus.Bench.Data;

/// <summary>
/// A deterministic dataset shaped like real logs: skewed levels and sources, templated messages, metadata with string,
/// boolean, number and nested values, trace ids on some events, and bursts of events sharing one timestamp (so paging
/// has ties to break). Messages are ASCII words of letters or letters-then-digits, so PostgreSQL's word parser and the
/// reference computation split them the same way.
/// </summary>
public static class EventGenerator
{
    public static readonly string[] Sources = [.. Enumerable.Range(0, 40).Select(i => $"service-{i:D2}")];
    public static readonly string[] Regions = ["eu", "us", "ap"];
    public static readonly string[] Actions = ["login", "checkout", "search", "view", "logout", "refund"];
    private static readonly (string Level, double Weight)[] Levels =
        [("TRACE", 0.05), ("DEBUG", 0.15), ("INFO", 0.55), ("WARN", 0.15), ("ERROR", 0.08), ("FATAL", 0.02)];

    /// <summary>The events, oldest first, generated as they are enumerated (ten million need not fit in memory).</summary>
    /// <param name="end">Every event is older than this.</param>
    public static IEnumerable<GeneratedEvent> Generate(int count, DateTimeOffset end, TimeSpan span, int seed = 20261124)
    {
        var random = new Random(seed);
        var start = end - span;
        var step = span.Ticks / count;
        var burstLeft = 0;
        var timestamp = start;
        for (var n = 0; n < count; n++)
        {
            if (burstLeft > 0)
            {
                burstLeft--;
            }
            else
            {
                // Microsecond precision, as PostgreSQL stores it.
                timestamp = new DateTimeOffset((start.UtcTicks + (n * step) + random.NextInt64(step)) / 10 * 10, TimeSpan.Zero);
                burstLeft = random.NextDouble() < 0.05 ? random.Next(1, 6) : 0;
            }

            var user = (int)Math.Floor(Math.Pow(random.NextDouble(), 2) * 5000);
            var source = Sources[(int)Math.Floor(Math.Pow(random.NextDouble(), 1.6) * Sources.Length)];
            var level = PickLevel(random.NextDouble());
            var status = level is "ERROR" or "FATAL" ? 500 : random.NextDouble() < 0.1 ? 404 : 200;
            bool? retry = random.NextDouble() switch { < 0.2 => true, < 0.4 => false, _ => null };
            yield return new GeneratedEvent(
                $"{Letters(random, 4)}{n.ToString("D7", CultureInfo.InvariantCulture)}",
                timestamp,
                level,
                Message(random, user),
                source,
                $"user{user}",
                Regions[random.Next(Regions.Length)],
                status,
                retry,
                random.NextDouble() < 0.3 ? Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))
                    + Convert.ToHexStringLower(BitConverter.GetBytes(n)) + "00000000" : null);
        }
    }

    private static string PickLevel(double roll)
    {
        foreach (var (level, weight) in Levels)
        {
            if ((roll -= weight) < 0)
            {
                return level;
            }
        }

        return "INFO";
    }

    private static string Message(Random random, int user) => random.Next(6) switch
    {
        0 => $"User user{user} performed {Actions[random.Next(Actions.Length)]} on order {Letters(random, 6)} in {random.Next(1, 900)} ms",
        1 => $"Connection timeout after {random.Next(1, 60)} seconds to db{random.Next(1, 9)}",
        2 => $"Payment declined for card ending {random.Next(1000, 9999)} reason {(random.Next(2) == 0 ? "insufficient funds" : "expired card")}",
        3 => $"Cache miss for key {Letters(random, 5)} in region {Regions[random.Next(Regions.Length)]}",
        4 => $"Request GET orders {Letters(random, 6)} returned {(random.Next(10) == 0 ? 404 : 200)}",
        _ => $"Background job {Letters(random, 4)} finished {random.Next(0, 10_000)} items",
    };

    private static string Letters(Random random, int length) =>
        string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.Next(26));
            }
        });
}
