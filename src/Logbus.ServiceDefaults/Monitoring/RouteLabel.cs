using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>
/// The <c>route</c> label of Logbus's metrics: an endpoint's route pattern as the API documents it. A group's own route
/// (<c>MapGroup("/api/logs").MapPost("/")</c>) has the pattern <c>/api/logs/</c>; the label drops that trailing slash.
/// </summary>
public static class RouteLabel
{
    public static string Of(RouteEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var pattern = endpoint.RoutePattern.RawText ?? "";
        return pattern.Length > 1 && pattern[^1] == '/' ? pattern[..^1] : pattern;
    }

    /// <summary>The label of the request's endpoint, or its path when no route matched.</summary>
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEndpoint() is RouteEndpoint endpoint ? Of(endpoint) : context.Request.Path.Value ?? "";
    }
}
