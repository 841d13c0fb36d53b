using System.Globalization;
using Logbus.Query.Caching;
using Logbus.Query.Database;
using Logbus.Query.Search;
using Logbus.Query.Security;
using Logbus.Query.Stats;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Logbus.Query.TutorialCompatibility;

/// <summary>
/// The tutorial's gateway routes, same parameters and shapes: page-numbered results in Spring's page object,
/// newest first; <c>startTime</c>/<c>endTime</c> default to the last day.
/// </summary>
internal static class TutorialQueryEndpoints
{
    private const int DefaultSize = 50;

    public static IEndpointRouteBuilder MapTutorialQueryApi(this IEndpointRouteBuilder endpoints)
    {
        var gateway = endpoints.MapGroup("/gateway/api/query").WithTags("Tutorial gateway").AddEndpointFilter<StorableParametersFilter>()
            .RequireKeyScope(KeyScopes.Read).AddEndpointFilter<KeySourcesFilter>();
        gateway.MapGet("/logs", LogsAsync)
            .WithName("TutorialQueryLogs")
            .WithSummary("Events by time, level and source (tutorial)")
            .DocumentQuery(("startTime", "ISO-8601; default a day ago."), ("endTime", "ISO-8601; default now."),
                ("level", "A level."), ("source", "A source."), ("page", "0-based page (default 0)."), ("size", "1-1000 (default 50)."));
        gateway.MapGet("/search", SearchAsync)
            .WithName("TutorialSearchLogs")
            .WithSummary("Events whose message contains text (tutorial)")
            .DocumentQuery(("query", "Text the message contains (required)."), ("startTime", "ISO-8601; default a day ago."),
                ("endTime", "ISO-8601; default now."), ("page", "0-based page."), ("size", "1-1000 (default 50)."));
        gateway.MapGet("/stats", StatsAsync)
            .WithName("TutorialStats")
            .WithSummary("Counts over the last hours (tutorial)")
            .DocumentQuery(("hoursBack", "1-168 (default 24)."));
        gateway.MapGet("/logs/{id}", FindAsync)
            .WithName("TutorialGetLog")
            .WithSummary("One event by id (tutorial); 404 when missing");
        return endpoints;
    }

    private static Task<Results<Ok<SpringPage<TutorialLogEvent>>, ValidationProblem>> LogsAsync(
        HttpRequest request, LogSearchStore store, QueryCache cache, IOptions<SearchLimitsOptions> limits, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var query = request.Query;
        var (from, to, openEnded) = QueryParameters.Window(query, "startTime", "endTime", TimeSpan.FromDays(1), time.GetUtcNow(), errors);
        var filter = new LogSearchFilter(from, to, openEnded,
            QueryParameters.Levels(query, "level", null, errors), QueryParameters.Sources(query, "source"), null, [], null)
        {
            SourceGlobs = RequestKey.SourceGlobs(request.HttpContext),
        };
        return PageAsync(filter, query, errors, store, cache, limits.Value, cancellationToken);
    }

    private static Task<Results<Ok<SpringPage<TutorialLogEvent>>, ValidationProblem>> SearchAsync(
        HttpRequest request, LogSearchStore store, QueryCache cache, IOptions<SearchLimitsOptions> limits, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var query = request.Query;
        var text = QueryParameters.Single(query, "query");
        if (text is null)
        {
            errors.Add("query", "'query' is required: the text to look for in messages.");
        }

        var (from, to, openEnded) = QueryParameters.Window(query, "startTime", "endTime", TimeSpan.FromDays(1), time.GetUtcNow(), errors);
        var filter = new LogSearchFilter(from, to, openEnded, [], [], text, [], null)
        {
            SourceGlobs = RequestKey.SourceGlobs(request.HttpContext),
        };
        return PageAsync(filter, query, errors, store, cache, limits.Value, cancellationToken);
    }

    private static async Task<Results<Ok<SpringPage<TutorialLogEvent>>, ValidationProblem>> PageAsync(
        LogSearchFilter filter, IQueryCollection query, QueryErrors errors, LogSearchStore store, QueryCache cache,
            SearchLimitsOptions limits, CancellationToken cancellationToken)
    {
        var page = QueryParameters.Int(query, "page", 0, 0, int.MaxValue / LogSearchRequest.MaxLimit, errors);
        var size = QueryParameters.Int(query, "size", DefaultSize, 1, LogSearchRequest.MaxLimit, errors);
        if (!errors.Any && (page + 1L) * size > limits.MaxOffset)
        {
            // PostgreSQL reads and throws away every row before the page: the offset is what a request costs.
            var deepest = (page + 1L) * size;
            errors.Add("page", $"Pages may reach at most {limits.MaxOffset.ToString(CultureInfo.InvariantCulture)} rows deep "
                + $"({SearchLimitsOptions.Section}:{nameof(SearchLimitsOptions.MaxOffset)}); page {page.ToString(CultureInfo.InvariantCulture)} "
                + $"of size {size.ToString(CultureInfo.InvariantCulture)} ends at row {deepest.ToString(CultureInfo.InvariantCulture)}. "
                + "Narrow the time window, or page with /api/query/logs and its cursor.");
        }

        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The query parameters are not valid.");
        }

        var key = string.Join('|', filter.Canonical(cache.WindowKey(filter.From, filter.To, filter.OpenEnded)), page, size);
        var result = await cache.GetOrCreateAsync("tutorialpage", key, cache.WindowTtl(filter.To, filter.OpenEnded), async token =>
        {
            var (events, total) = await store.PageAsync(filter, page, size, token);
            return SpringPage<TutorialLogEvent>.Of([.. events.Select(TutorialLogEvent.From)], total, page, size);
        }, cancellationToken);
        return TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<TutorialStats>, ValidationProblem>> StatsAsync(
        HttpRequest request, StatsCache stats, CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var hoursBack = QueryParameters.Int(request.Query, "hoursBack", 24, 1, 168, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The statistics parameters are not valid.");
        }

        var s = await stats.GetAsync(hoursBack, RequestKey.SourceGlobs(request.HttpContext), cancellationToken);
        return TypedResults.Ok(new TutorialStats(
            s.Total,
            s.ByLevel.Where(l => l.Value > 0).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
            s.BySource.ToDictionary(x => x.Source, x => x.Count, StringComparer.Ordinal),
            new TutorialTimeRange(s.From, s.To)));
    }

    private static async Task<Results<Ok<TutorialLogEvent>, NotFound>> FindAsync(
        string id, HttpContext context, LogSearchStore store, QueryCache cache, CancellationToken cancellationToken)
    {
        var found = await cache.GetOrCreateUnlessMissingAsync("event", id, cache.Options.EventTtl,
            token => store.FindAsync(id, token), cancellationToken);
        // An event of a source the key does not cover is, for that key, not there.
        return found is null || RequestKey.Of(context) is { } key && !key.Covers(found.Source)
            ? TypedResults.NotFound()
            : TypedResults.Ok(TutorialLogEvent.From(found));
    }
}
