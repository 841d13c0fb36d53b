using Logbus.Query.Caching;
using Logbus.Query.Filtering;
using Logbus.Query.Search;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Stats;

internal static class StatsEndpoints
{
    public static RouteGroupBuilder MapStats(this RouteGroupBuilder group)
    {
        group.MapGet("/stats", GetAsync)
            .WithName("GetStats")
            .WithSummary("Counts over the last hours")
            .WithDescription("Totals, counts by level and by source, and a timeline of events per level (1-minute buckets up to 24 h, wider " +
                "beyond) over the last hoursBack hours (1-168, default 24). Cached for about 10 s.")
            .DocumentQuery(("hoursBack", "Window length in hours, 1-168 (default 24)."), ("filter", FilterDocs.Parameter));
        return group;
    }

    private static async Task<Results<Ok<LogStats>, ValidationProblem>> GetAsync(
        HttpRequest request, StatsCache stats, IOptions<FilterOptions> filterLimits, CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var hoursBack = QueryParameters.Int(request.Query, "hoursBack", 24, 1, 168, errors);
        var expression = QueryParameters.Filter(request.Query, filterLimits.Value, errors);
        return errors.Any
            ? TypedResults.ValidationProblem(errors.ToDictionary(), title: "The statistics parameters are not valid.")
            : TypedResults.Ok(await stats.GetAsync(hoursBack, RequestKey.SourceGlobs(request.HttpContext), cancellationToken, expression));
    }
}
