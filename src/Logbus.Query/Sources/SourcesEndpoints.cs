using System.Globalization;
using Logbus.Query.Caching;
using Logbus.Query.Search;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Query.Sources;

internal static class SourcesEndpoints
{
    public static RouteGroupBuilder MapSources(this RouteGroupBuilder group)
    {
        group.MapGet("/sources", ListAsync)
            .WithName("ListSources")
            .WithSummary("Sources seen lately")
            .WithDescription("Every source with events in the last hoursBack hours (1-720, default 168), with the time of its newest event.")
            .DocumentQuery(("hoursBack", "Window length in hours, 1-720 (default 168)."));
        return group;
    }

    private static async Task<Results<Ok<IReadOnlyList<SourceSummary>>, ValidationProblem>> ListAsync(
        HttpRequest request, SourcesStore store, QueryCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var hoursBack = QueryParameters.Int(request.Query, "hoursBack", 168, 1, 720, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The parameters are not valid.");
        }

        var globs = RequestKey.SourceGlobs(request.HttpContext);
        var sources = await cache.GetOrCreateAsync("sources", hoursBack.ToString(CultureInfo.InvariantCulture) + "|" + string.Join(',', globs),
            cache.Options.SourcesTtl, token => store.ListAsync(time.GetUtcNow().AddHours(-hoursBack), globs, token), cancellationToken);
        return TypedResults.Ok(sources);
    }
}
