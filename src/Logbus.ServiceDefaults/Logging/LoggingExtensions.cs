using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Logbus.ServiceDefaults.Logging;

public static class LoggingExtensions
{
    // Trace and span ids come from the current Activity; Serilog captures them on every event.
    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj} {TraceId}{NewLine}{Exception}";

    /// <summary>
    /// Serilog for every service: readable lines in a terminal, compact JSON (CLEF, with <c>@tr</c>/<c>@sp</c>)
    /// when output is redirected. <c>Logging:Console:Format</c> = <c>text</c> or <c>json</c> overrides the guess.
    /// </summary>
    public static IHostApplicationBuilder AddLogbusLogging(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        var format = builder.Configuration["Logging:Console:Format"] ?? "auto";
        var json = format.Equals("json", StringComparison.OrdinalIgnoreCase)
            || (format.Equals("auto", StringComparison.OrdinalIgnoreCase) && Console.IsOutputRedirected);

        builder.Services.AddSerilog((_, logger) =>
        {
            logger
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                // Every failed probe would log an error; the health endpoints already say what is down.
                .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Fatal)
                .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Service", identity.Name);

            if (json)
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        return builder;
    }
}
