using Logbus.Query.Caching;
using Logbus.Query.Filtering;
using Logbus.Query.Search;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Histogram;

internal static class HistogramEndpoints
{
    public static RouteGroupBuilder MapHistogram(this RouteGroupBuilder group)
    {
        group.MapGet("/histogram", GetAsync)
            .WithName("GetHistogram")
            .WithSummary("Matching events over time, by level")
            .WithDescription("Counts of the events GET /api/query/logs would return for the same filter parameters (from, to, level, " +
                "minLevel, source, q, meta.<key>, traceId, filter), per level, in consecutive buckets of a round width (1 s … 1 day or more) " +
                "covering [from, to), every bucket listed. Cached like searches.")
            .DocumentQuery(
                ("filter", "A filter expression, as for /logs."),
                ("from", "Start, inclusive (ISO-8601; no offset means UTC). Default: 24 h before 'to'."),
                ("to", "End, exclusive. Default: now."),
                ("buckets", "The most buckets wanted, 1 to Histogram:MaxBuckets (default 500); default Histogram:DefaultBuckets (60)."),
                ("level", "As for /logs."),
                ("source", "As for /logs."),
                ("q", "As for /logs."),
                ("meta.<key>", "As for /logs."));
        return group;
    }

    private static async Task<Results<Ok<LogHistogram>, ValidationProblem>> GetAsync(HttpRequest request, LogHistogramStore store,
        QueryCache cache, IOptions<HistogramOptions> options, IOptions<FilterOptions> filterLimits, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        // The search's own parsing, so the histogram counts exactly what the search pages through.
        var filter = LogSearchRequest.Parse(request.Query, time.GetUtcNow(), errors, filterLimits.Value).Filter with
        {
            SourceGlobs = RequestKey.SourceGlobs(request.HttpContext),
        };
        var limits = options.Value;
        var buckets = QueryParameters.Int(request.Query, "buckets", limits.DefaultBuckets, 1, int.MaxValue, errors);
        if (buckets > limits.MaxBuckets)
        {
            errors.Add("buckets", $"At most {limits.MaxBuckets} buckets (setting Histogram:MaxBuckets); {buckets} were asked for.");
        }

        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The histogram parameters are not valid.");
        }

        var key = $"{filter.Canonical(cache.WindowKey(filter.From, filter.To, filter.OpenEnded))}|{buckets}";
        var histogram = await cache.GetOrCreateAsync("histogram", key, cache.WindowTtl(filter.To, filter.OpenEnded),
            token => store.ComputeAsync(filter, buckets, token), cancellationToken);
        return TypedResults.Ok(histogram);
    }
}
