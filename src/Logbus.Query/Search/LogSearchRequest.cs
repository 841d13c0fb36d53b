using Logbus.Query.Filtering;

namespace Logbus.Query.Search;

/// <summary>A page of a search: the filter, the order, how many, and where the previous page ended.</summary>
public sealed record LogSearchRequest(LogSearchFilter Filter, SearchOrder Order, int Limit, SearchCursor? After)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// Reads <c>GET /api/query/logs</c>'s parameters: <c>from</c>, <c>to</c>, <c>level</c> (several) or <c>minLevel</c>,
    /// <c>source</c> (several), <c>q</c>, <c>meta.&lt;path&gt;</c>, <c>traceId</c>, <c>filter</c>, <c>order</c>, <c>cursor</c>,
    /// <c>limit</c>.
    /// </summary>
    /// <param name="filterLimits">The configured <see cref="FilterOptions"/>; their defaults when null.</param>
    public static LogSearchRequest Parse(IQueryCollection query, DateTimeOffset now, QueryErrors errors, FilterOptions? filterLimits = null)
    {
        QueryParameters.RefuseUnsendable(query, errors);
        var (from, to, openEnded) = QueryParameters.Window(query, "from", "to", DefaultWindow, now, errors);
        var filter = new LogSearchFilter(
            from,
            to,
            openEnded,
            QueryParameters.Levels(query, "level", "minLevel", errors),
            QueryParameters.Sources(query, "source"),
            QueryParameters.Single(query, "q"),
            QueryParameters.Metadata(query, errors),
            QueryParameters.Single(query, "traceId"),
            QueryParameters.Filter(query, filterLimits, errors));

        var order = QueryParameters.Single(query, "order")?.ToLowerInvariant() switch
        {
            null or "desc" or "newest" => SearchOrder.NewestFirst,
            "asc" or "oldest" => SearchOrder.OldestFirst,
            var other => Invalid(other),
        };
        var limit = QueryParameters.Int(query, "limit", DefaultLimit, 1, MaxLimit, errors);
        if (!SearchCursor.TryDecode(QueryParameters.Single(query, "cursor"), out var after))
        {
            errors.Add("cursor", "The cursor is not one this API handed out; start again without it.");
        }

        return new LogSearchRequest(filter, order, limit, after);

        SearchOrder Invalid(string value)
        {
            errors.Add("order", $"'{value}' is not an order: use desc (newest first) or asc (oldest first).");
            return SearchOrder.NewestFirst;
        }
    }
}
