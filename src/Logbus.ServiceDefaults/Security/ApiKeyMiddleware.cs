using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Logbus.ServiceDefaults.Security;

/// <summary>
/// Enforces each route's key rule (<see cref="KeyRouteRules"/>) once any key is configured; with none, every route is
/// open and a presented key is ignored. Routes come from route groups, so a route added to a group is covered.
/// </summary>
public sealed class ApiKeyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ApiKeys _keys;

    public ApiKeyMiddleware(RequestDelegate next, ApiKeys keys, EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _next = next;
        _keys = keys;
        // Built as the server starts, when every route is mapped.
        KeyRefusals.StartAtZero(endpoints.Endpoints.OfType<RouteEndpoint>());
    }

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.GetEndpoint();
        if (endpoint is null || !_keys.Required || endpoint.Metadata.GetMetadata<OpenToAnyone>() is not null)
        {
            await _next(context);
            return;
        }

        var identity = _keys.Identify(context, out var presented);
        if (endpoint.Metadata.GetMetadata<DiagnosticsRoute>() is not null && DiagnosticsOpenTo(context))
        {
            await _next(context);
            return;
        }

        if (identity is null)
        {
            await AnswerAsync(context, endpoint, KeyRefusals.Unauthorized(context, presented));
            return;
        }

        if (endpoint is not RouteEndpoint)
        {
            // Routing's own answers (405 for a method, 415 for a content type the route does not take) run no handler:
            // any known key may learn them; the route's rule applies once the request reaches the route.
            await _next(context);
            return;
        }

        var required = endpoint.Metadata.GetMetadata<DiagnosticsRoute>() is not null
            ? [KeyScopes.Admin]
            : endpoint.Metadata.GetMetadata<KeyScopeRequirement>()?.AnyOf ?? [KeyScopes.Admin];
        if (!required.Any(identity.Has))
        {
            await AnswerAsync(context, endpoint, KeyRefusals.Forbidden(context, KeyRefusals.Scope,
                $"The key '{identity.Name}' has the scopes {string.Join(", ", identity.Scopes)}; this route needs " +
                    $"{string.Join(" or ", required)}."));
            return;
        }

        await _next(context);
    }

    private static Task AnswerAsync(HttpContext context, Endpoint endpoint, ProblemHttpResult refusal) =>
        (endpoint.Metadata.GetMetadata<IKeyRefusalFormat>()?.Format(context, refusal) ?? refusal).ExecuteAsync(context);

    private bool DiagnosticsOpenTo(HttpContext context) => _keys.Diagnostics switch
    {
        DiagnosticsAccess.Open => true,
        DiagnosticsAccess.Loopback => context.Connection.RemoteIpAddress is not { } address || IPAddress.IsLoopback(address),
        _ => false,
    };
}
