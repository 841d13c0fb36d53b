using Logbus.ServiceDefaults.Browsers;
using Logbus.ServiceDefaults.Health;
using Logbus.ServiceDefaults.Logging;
using Logbus.ServiceDefaults.Resilience;
using Logbus.ServiceDefaults.Security;
using Logbus.ServiceDefaults.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Prometheus;
using Serilog;

namespace Logbus.ServiceDefaults;

public static class HostingExtensions
{
    /// <summary>
    /// What every Logbus service has: structured logs, tracing, Prometheus metrics, ProblemDetails for errors and the
    /// health-check service (each service adds the dependency checks it needs).
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(TimeProvider.System);
        // First of the hosted services, so the meters are exported before the bus or any other service measures.
        builder.Services.AddHostedService<Logbus.ServiceDefaults.Monitoring.MeterExportStarter>();
        builder.AddLogbusLogging(identity);
        builder.AddLogbusTracing(identity);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString()
                ?? context.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<DependencyUnavailableHandler>();
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        // Binding failures throw in every environment (not only Development), so BadRequestHandler can name the value.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton<IHealthCheckPublisher, ReadinessMetricsPublisher>();
        builder.Services.Configure<HealthCheckPublisherOptions>(options =>
        {
            options.Delay = TimeSpan.FromSeconds(1);
            options.Period = ReadinessMetricsPublisher.Period;
            options.Predicate = r => r.Tags.Contains(HealthChecksBuilderExtensions.ReadyTag);
        });
        builder.Services.AddOpenApi();
        builder.AddBrowserOrigins();
        builder.Services.AddApiKeys();
        return builder;
    }

    /// <summary>The shared middleware: errors as ProblemDetails (never a stack trace), request logs, HTTP metrics.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        // Request logs and HTTP metrics sit outside the exception handler, so they record the status the client got
        // (a 503 with Retry-After while PostgreSQL is down), not the 500 an exception would mean before it is handled.
        app.UseSerilogRequestLogging(options => options.GetLevel = (context, _, exception) => RequestLogLevel.For(context, exception));
        app.UseHttpMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBrowserOrigins();
        app.UseApiKeys();
        return app;
    }

    /// <summary>
    /// <c>/health/live</c>, <c>/health/ready</c>, the Prometheus scrape at <c>/metrics</c> and the OpenAPI document at
    /// <c>/openapi/v1.json</c>; health status is open to anyone, the other two follow <c>ApiKeys:Diagnostics</c>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapMetrics("/metrics").AsDiagnostics();
        app.MapOpenApi().AsDiagnostics();
        return app;
    }
}
