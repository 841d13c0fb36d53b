namespace Logbus.Specs.Browser;

/// <summary>
/// The events the browser specs search: <see cref="Count"/> events over the last minutes, from three sources. Every
/// tenth says "Connection timeout" (half of those ERROR, half WARN); the others say "request n handled". One event,
/// <see cref="DetailedId"/>, has nested metadata and an exception.
/// </summary>
internal static class SeedEvents
{
    public const int Count = 60;
    public const int Timeouts = 6;
    public const int TimeoutErrors = 3;
    public const int Requests = Count - Timeouts;
    public const string DetailedId = "browser-detailed";
    public const string DetailedUser = "u-detailed";

    private static readonly string[] Sources = ["checkout", "billing", "search-api"];
    private static readonly string[] Levels = ["INFO", "DEBUG", "INFO", "WARN", "INFO"];

    public static IEnumerable<object> All(DateTimeOffset now)
    {
        for (var i = 0; i < Count; i++)
        {
            var timestamp = now.AddSeconds(-(Count - i) * 5);
            var timeout = i % 10 == 0;
            if (i == 7)
            {
                yield return new
                {
                    id = DetailedId,
                    timestamp,
                    level = "ERROR",
                    message = "request 7 handled with a failure",
                    source = "checkout",
                    metadata = new { userId = DetailedUser, cart = new { items = 3, currency = "EUR" } },
                    exception = "System.InvalidOperationException: the cart is empty\n   at Checkout.Pay()",
                };
                continue;
            }

            yield return new
            {
                id = $"browser-{i:D3}",
                timestamp,
                level = timeout ? (i % 20 == 0 ? "ERROR" : "WARN") : Levels[i % Levels.Length],
                message = timeout ? $"Connection timeout talking to payments (attempt {i})" : $"request {i} handled",
                source = Sources[i % Sources.Length],
                metadata = new { userId = $"u-{i}", region = i % 2 == 0 ? "eu" : "us" },
            };
        }
    }
}
