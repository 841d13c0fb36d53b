using Logbus.Query.Caching;
using Logbus.Query.Database;
using Logbus.Query.Search;
using Logbus.Query.Sources;
using Logbus.Query.Stats;
using Logbus.Query.Tail;

namespace Logbus.Query;

internal static class QueryApi
{
    /// <summary>The stores behind the query API and live tail.</summary>
    public static IHostApplicationBuilder AddLogQueries(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<LiveTailOptions>(builder.Configuration.GetSection(LiveTailOptions.Section));
        builder.Services.AddSingleton<QueryDatabase>();
        builder.Services.AddSingleton<LogSearchStore>();
        builder.Services.AddSingleton<LogStatsStore>();
        builder.Services.AddSingleton<StatsCache>();
        builder.Services.AddSingleton<SourcesStore>();
        builder.Services.AddSingleton<LiveTail>();
        return builder;
    }

    /// <summary><c>/api/query</c>: search, one event, statistics, sources, live tail.</summary>
    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/query")
            .WithTags("Query")
            .MapSearch()
            .MapStats()
            .MapSources()
            .MapTail();
        return endpoints;
    }
}
