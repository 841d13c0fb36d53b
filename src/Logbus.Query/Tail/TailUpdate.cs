using Logbus.Query.Search;

namespace Logbus.Query.Tail;

/// <summary>What one poll found: new events, oldest first, and whether more arrived than could be shown.</summary>
/// <param name="Started">The first update, with no events: the tail has read what was there before it and shows what follows.</param>
public sealed record TailUpdate(IReadOnlyList<LogEventView> Events, bool Overflowed, bool Started = false);
