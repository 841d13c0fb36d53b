using Logbus.Query.Caching;
using Logbus.Query.Filtering;
using Logbus.ServiceDefaults.Security;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Query.Search;

internal static class SearchEndpoints
{
    public static RouteGroupBuilder MapSearch(this RouteGroupBuilder group)
    {
        group.MapGet("/logs", SearchAsync)
            .WithName("SearchLogs")
            .WithSummary("Search events")
            .WithDescription("Events in [from, to) (default: the last 24 h) matching every filter given, newest first by default, a page at a " +
                "time. Pass nextCursor back as cursor for the next page.")
            .DocumentQuery(
                ("from", "Start, inclusive (ISO-8601; no offset means UTC). Default: 24 h before 'to'."),
                ("to", "End, exclusive. Default: now."),
                ("level", "One or more levels (repeat or comma-separate): TRACE, DEBUG, INFO, WARN, ERROR, FATAL or aliases."),
                ("minLevel", "This level and everything more severe (instead of 'level')."),
                ("source", "One or more sources (repeat or comma-separate)."),
                ("q", "Text the message contains, case-insensitive; each word of it must start a word of the message."),
                ("meta.<key>", "Metadata value at a path, e.g. meta.userId=student123 or meta.http.status=500."),
                ("traceId", "W3C trace id."),
                ("filter", FilterDocs.Parameter),
                ("order", "desc (newest first, default) or asc."),
                ("limit", "Events per page, 1-1000 (default 100)."),
                ("cursor", "nextCursor of the previous page."));

        group.MapGet("/logs/{id}", FindAsync)
            .WithName("GetLog")
            .WithSummary("One event by id")
            .WithDescription("404 when no stored event has this id (yet).");
        return group;
    }

    private static async Task<Results<Ok<SearchPage>, ValidationProblem>> SearchAsync(
        HttpRequest request, LogSearchStore store, QueryCache cache, TimeProvider time, IOptions<FilterOptions> filterLimits,
        CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var search = LogSearchRequest.Parse(request.Query, time.GetUtcNow(), errors, filterLimits.Value);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The search parameters are not valid.");
        }

        var filter = search.Filter with { SourceGlobs = RequestKey.SourceGlobs(request.HttpContext) };
        search = search with { Filter = filter };
        var key = string.Join('|', filter.Canonical(cache.WindowKey(filter.From, filter.To, filter.OpenEnded)), search.Order, search.Limit,
            search.After?.Encode());
        var page = await cache.GetOrCreateAsync("search", key, cache.WindowTtl(filter.To, filter.OpenEnded),
            token => store.SearchAsync(search, token), cancellationToken);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<LogEventView>, ProblemHttpResult>> FindAsync(
        string id, HttpContext context, LogSearchStore store, QueryCache cache, CancellationToken cancellationToken)
    {
        var found = await cache.GetOrCreateUnlessMissingAsync("event", id, cache.Options.EventTtl,
            token => store.FindAsync(id, token), cancellationToken);
        // An event of a source the key does not cover is, for that key, not there.
        return found is null || RequestKey.Of(context) is { } key && !key.Covers(found.Source)
            ? TypedResults.Problem($"No stored event has the id '{id}'. An event accepted moments ago may not be stored yet.",
                statusCode: StatusCodes.Status404NotFound, title: "No such event")
            : TypedResults.Ok(found);
    }
}
