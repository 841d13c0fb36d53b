using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Logbus.ServiceDefaults.Tracing;

public static class TracingExtensions
{
    /// <summary>
    /// ActivitySource names whose spans every service records; <c>Logbus.Messaging</c> is the outbox delivery, which
    /// links a stored message's send back to the request that committed it.
    /// </summary>
    public static readonly IReadOnlyList<string> Sources = ["MassTransit", "Logbus", "Logbus.Messaging"];

    /// <summary>
    /// OpenTelemetry tracing with W3C trace context: ASP.NET Core, HttpClient, MassTransit and Npgsql spans. An OTLP
    /// exporter is added when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured.
    /// </summary>
    public static IHostApplicationBuilder AddLogbusTracing(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        var otlpEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(identity.Name))
            .WithTracing(tracing =>
            {
                tracing
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsInfrastructurePath(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddSource([.. Sources]);
                if (!string.IsNullOrWhiteSpace(otlpEndpoint))
                {
                    tracing.AddOtlpExporter();
                }
            });
        return builder;
    }

    /// <summary>Health probes and metric scrapes: frequent, uninteresting, kept out of traces and request logs.</summary>
    public static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/actuator", StringComparison.OrdinalIgnoreCase)
        || path.Value?.EndsWith("/health", StringComparison.OrdinalIgnoreCase) == true;
}
