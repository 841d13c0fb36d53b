using Logbus.Query.Caching;
using Logbus.Query.Database;
using Logbus.Query.Export;
using Logbus.Query.Filtering;
using Logbus.Query.Histogram;
using Logbus.Query.Search;
using Logbus.Query.Security;
using Logbus.Query.Sources;
using Logbus.Query.Stats;
using Logbus.Query.Tail;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Resilience;
using Logbus.ServiceDefaults.Security;
using Logbus.Storage.Resilience;

namespace Logbus.Query;

internal static class QueryApi
{
    /// <summary>The stores behind the query API and live tail.</summary>
    public static IHostApplicationBuilder AddLogQueries(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LiveTailOptions>(LiveTailOptions.Section);
        builder.Services.AddValidatedOptions<FilterOptions>(FilterOptions.Section);
        builder.Services.AddValidatedOptions<SearchLimitsOptions>(SearchLimitsOptions.Section)
            .Validate(o => o.StatementTimeout >= TimeSpan.FromMilliseconds(1), "Search:StatementTimeout must be positive.")
            .Validate(o => o.QueueTimeout >= TimeSpan.Zero, "Search:QueueTimeout must not be negative.");
        builder.Services.AddExceptionHandler<ReadLimitHandler>();
        builder.Services.AddSingleton<QueryDataSource>();
        builder.Services.AddSingleton<TailConnections>();
        builder.Services.AddCircuitBreaker(PostgresOutage.Dependency, PostgresOutage.IsOutage);
        builder.Services.AddSingleton<QueryDatabase>();
        builder.Services.AddSingleton<LogSearchStore>();
        builder.Services.AddLogExport();
        builder.Services.AddSingleton<LogStatsStore>();
        builder.Services.AddSingleton<StatsCache>();
        builder.Services.AddValidatedOptions<HistogramOptions>(HistogramOptions.Section)
            .Validate(o => o.DefaultBuckets <= o.MaxBuckets, "Histogram:DefaultBuckets must not exceed Histogram:MaxBuckets.");
        builder.Services.AddSingleton<LogHistogramStore>();
        builder.Services.AddSingleton<SourcesStore>();
        builder.Services.AddSingleton<LiveTail>();
        builder.Services.AddReadRateLimiting();
        return builder;
    }

    /// <summary>
    /// <c>/api/query</c>: search, one event, export, statistics, histogram, sources, live tail, the key in use. Every
    /// route of the group needs a <c>read</c> key once keys are configured, sees only its key's sources, and is
    /// rate-limited per key.
    /// </summary>
    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/query")
            .WithTags("Query")
            .AddEndpointFilter<StorableParametersFilter>()
            .RequireKeyScope(KeyScopes.Read)
            .AddEndpointFilter<KeySourcesFilter>()
            .RequireRateLimiting(ReadRateLimiting.Policy)
            .MapWhoAmI()
            .MapSearch()
            .MapExport()
            .MapStats()
            .MapHistogram()
            .MapSources()
            .MapTail();
        return endpoints;
    }
}
