using Logbus.ServiceDefaults.Tracing;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace Logbus.ServiceDefaults.Logging;

/// <summary>The level of a request's log line: what an operator should see, not one line per answer.</summary>
public static class RequestLogLevel
{
    /// <summary>
    /// Successful requests and probes are Debug, so a busy ingest path does not pay for a log line per request and a
    /// not-yet-ready service does not flood the log with its 503s. A 404 is Debug too: clients ask for an event by id
    /// until it is stored (the tutorial's walkthrough does), and a load of them wrote thousands of warnings a minute.
    /// Other client errors are warnings, server errors and unhandled exceptions errors.
    /// </summary>
    public static LogEventLevel For(HttpContext context, Exception? exception) =>
        exception is not null ? LogEventLevel.Error
        : TracingExtensions.IsInfrastructurePath(context.Request.Path) ? LogEventLevel.Debug
        : context.Response.StatusCode >= 500 ? LogEventLevel.Error
        : context.Response.StatusCode == StatusCodes.Status404NotFound ? LogEventLevel.Debug
        : context.Response.StatusCode >= 400 ? LogEventLevel.Warning
        : LogEventLevel.Debug;
}
