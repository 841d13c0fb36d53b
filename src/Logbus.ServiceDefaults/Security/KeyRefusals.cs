using Logbus.ServiceDefaults.Monitoring;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Logbus.ServiceDefaults.Security;

/// <summary>
/// The answers to a request its key does not allow, as ProblemDetails, each counted in
/// <c>logbus_api_key_refusals_total{route, reason}</c>.
/// </summary>
public static class KeyRefusals
{
    /// <summary>No key was presented.</summary>
    public const string MissingKey = "missing_key";

    /// <summary>A key was presented that this Logbus does not know.</summary>
    public const string UnknownKey = "unknown_key";

    /// <summary>The key's scopes do not cover the route.</summary>
    public const string Scope = "scope";

    /// <summary>The key is restricted to sources the request reaches beyond.</summary>
    public const string Source = "source";

    /// <summary>The request acts on something another key started (an import).</summary>
    public const string Owner = "owner";

    public static readonly IReadOnlyList<string> Reasons = [MissingKey, UnknownKey, Scope, Source, Owner];

    private static readonly CumulativeCounter Refusals = new(LogbusMeters.Logbus, "api_key_refusals_total", "{request}",
        "Requests refused for their API key, by route and reason (missing_key, unknown_key, scope, source, owner).", "route", "reason");

    /// <summary>Creates every route's series at zero, so an alert on <c>increase()</c> sees the first refusal.</summary>
    public static void StartAtZero(IEnumerable<RouteEndpoint> endpoints) =>
        Refusals.ZeroEach([.. endpoints.Select(RouteLabel.Of).Distinct(StringComparer.Ordinal)], Reasons);

    /// <summary>401: no key, or one this Logbus does not know.</summary>
    public static ProblemHttpResult Unauthorized(HttpContext context, bool presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        Count(context, presented ? UnknownKey : MissingKey);
        context.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
        return TypedResults.Problem(
            presented ? "The API key is not one this Logbus knows (revoked, mistyped, or from another Logbus). Send a key its operator " +
                "created with `./logbus keys add` (`./logbus keys list` shows the names of those that exist)."
                : "This Logbus requires an API key: send it in the X-Api-Key (or X-Seq-ApiKey) header, or as ?apiKey=.",
            statusCode: StatusCodes.Status401Unauthorized,
            title: presented ? "Unknown API key" : "API key required");
    }

    /// <summary>403: the key is known but does not cover this request; <paramref name="detail"/> says what would.</summary>
    public static ProblemHttpResult Forbidden(HttpContext context, string reason, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        Count(context, reason);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden,
            title: reason switch
            {
                Scope => "The API key's scopes do not cover this route",
                Source => "The API key does not cover this source",
                _ => "The API key does not cover this request",
            },
            extensions: new Dictionary<string, object?> { ["reason"] = reason });
    }

    private static void Count(HttpContext context, string reason) =>
        Refusals.Add(1, RouteLabel.Of(context), reason);
}
