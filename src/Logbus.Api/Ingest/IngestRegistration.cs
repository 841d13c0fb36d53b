using Logbus.Api.Otlp;
using Logbus.Api.Security;
using Logbus.Api.Seq;
using Logbus.Api.TutorialCompatibility;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage.Partitions;
using Logbus.Storage.Resilience;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

internal static class IngestRegistration
{
    /// <summary>Everything behind the ingest routes: limits, validation, API keys, rate limits, bulkheads, the outbox writer.</summary>
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<IngestOptions>(IngestOptions.Section)
            .Validate<IOptions<LogEventPartitionOptions>>(
                (ingest, partitions) => ingest.MaxTimestampAhead <= TimeSpan.FromDays(partitions.Value.DaysAhead),
                $"{TimestampPolicy.AheadSetting} must be at most Storage:Partitions:DaysAhead days: an event dated further ahead would wait " +
                    "in the default partition.");
        builder.Services.AddValidatedOptions<IngestBulkheadOptions>(IngestBulkheadOptions.Section);
        builder.Services.AddCircuitBreaker(PostgresOutage.Dependency, PostgresOutage.IsOutage);
        builder.Services.AddSingleton<EventValidator>();
        builder.Services.AddSingleton<IngestPipeline>();
        builder.Services.AddSingleton<ClefDecoder>();
        builder.Services.AddSingleton<SeqJsonDecoder>();
        builder.Services.AddSingleton<DirectProducer>();
        builder.Services.AddSingleton<EventIngestor>();
        builder.Services.AddSingleton<IngestBulkheads>();
        builder.Services.AddIngestRateLimiting();
        return builder;
    }

    /// <summary>The ingest routes: Logbus's own, the tutorial's, Seq's and OpenTelemetry's.</summary>
    public static WebApplication MapIngest(this WebApplication app)
    {
        var bulkheads = app.Services.GetRequiredService<IngestBulkheads>();
        var sources = ((IEndpointRouteBuilder)app).DataSources;
        var before = sources.Count;
        app.MapIngestApi(bulkheads);
        app.MapTutorialIngestApi(bulkheads);
        app.MapSeqIngestApi(bulkheads);
        app.MapOtlpIngestApi(bulkheads);
        // Each group above adds a data source of its own: their routes are the ingest routes.
        IngestMetrics.StartAtZero(sources.Skip(before).SelectMany(d => d.Endpoints).OfType<RouteEndpoint>());
        return app;
    }
}
