using Logbus.Query.Filtering;

namespace Logbus.Query.Search;

/// <summary>
/// Which events a search selects: <c>From &lt;= timestamp &lt; To</c>, and every condition given. Empty lists mean no
/// condition. <see cref="OpenEnded"/> says <see cref="To"/> was "now" rather than a time the client named, which
/// decides how long an answer may be cached. <see cref="Expression"/> is the filter language's <c>filter=</c>, parsed.
/// </summary>
public sealed record LogSearchFilter(
    DateTimeOffset From,
    DateTimeOffset To,
    bool OpenEnded,
    IReadOnlyList<string> Levels,
    IReadOnlyList<string> Sources,
    string? Text,
    IReadOnlyList<MetadataCondition> Metadata,
    string? TraceId,
    FilterExpression? Expression = null)
{
    /// <summary>
    /// Globs of the sources the request's API key is restricted to (empty: every source). Part of the WHERE clause, so a
    /// restricted key's pages, counts and tails hold only its sources.
    /// </summary>
    public IReadOnlyList<string> SourceGlobs { get; init; } = [];

    /// <summary>A text that is the same for every filter selecting the same events, for cache keys.</summary>
    public string Canonical(string window) => string.Join('|',
        window,
        string.Join(',', Levels.Order(StringComparer.Ordinal)),
        string.Join(',', Sources.Order(StringComparer.Ordinal)),
        Text?.Trim().ToLowerInvariant() ?? "",
        string.Join(',', Metadata.Select(m => $"{m.Path}={m.Value}").Order(StringComparer.Ordinal)),
        TraceId ?? "",
        string.Join(',', SourceGlobs.Order(StringComparer.Ordinal)),
        Expression?.Text ?? "");
}
