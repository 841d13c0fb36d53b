namespace Logbus.Query.Search;

/// <summary>One page of search results; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record SearchPage(
    IReadOnlyList<LogEventView> Items,
    string? NextCursor,
    DateTimeOffset From,
    DateTimeOffset To,
    string Order);
