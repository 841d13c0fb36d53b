using Logbus.Query.Search;

namespace Logbus.Query.Tail;

/// <summary>What one poll found: new events, oldest first, and whether more arrived than could be shown.</summary>
public sealed record TailUpdate(IReadOnlyList<LogEventView> Events, bool Overflowed);
