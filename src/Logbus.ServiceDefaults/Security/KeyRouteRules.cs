using Microsoft.AspNetCore.Builder;

namespace Logbus.ServiceDefaults.Security;

/// <summary>A route's key rule: a request needs a key with one of these scopes (put on a route group, or one route).</summary>
public sealed record KeyScopeRequirement(IReadOnlyList<string> AnyOf);

/// <summary>A route anyone may call, with keys configured or not (health status, the explorer's pages).</summary>
public sealed record OpenToAnyone;

/// <summary>A diagnostic route (<c>/metrics</c>, <c>/openapi</c>): <see cref="ApiKeyOptions.Diagnostics"/> decides.</summary>
public sealed record DiagnosticsRoute;

/// <summary>
/// How routes say which keys they take. A route group states it once and every route in it inherits it; a route may
/// state its own, which wins. A route that states nothing needs an <c>admin</c> key (and fails the route scope spec).
/// </summary>
public static class KeyRouteRules
{
    /// <summary>Requests need a key with one of <paramref name="anyOf"/> (<see cref="KeyScopes"/>).</summary>
    public static TBuilder RequireKeyScope<TBuilder>(this TBuilder builder, params string[] anyOf)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new KeyScopeRequirement(anyOf));

    /// <summary>Anyone may call these routes.</summary>
    public static TBuilder AllowWithoutKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OpenToAnyone());

    /// <summary>These routes follow <see cref="ApiKeyOptions.Diagnostics"/>.</summary>
    public static TBuilder AsDiagnostics<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DiagnosticsRoute());
}
