using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Query.Security;

/// <summary>What the web explorer shows about the key it uses.</summary>
/// <param name="KeysRequired">False while no key is configured: everything is open and Name is null.</param>
/// <param name="Sources">Source globs the key is restricted to; empty for every source.</param>
public sealed record WhoAmI(bool KeysRequired, string? Name, IReadOnlyList<string> Scopes, IReadOnlyList<string> Sources);

internal static class WhoAmIEndpoint
{
    /// <summary><c>GET /api/query/whoami</c>: the name, scopes and sources of the request's key.</summary>
    public static RouteGroupBuilder MapWhoAmI(this RouteGroupBuilder group)
    {
        group.MapGet("/whoami", (HttpContext context, ApiKeys keys) =>
            {
                var key = RequestKey.Of(context);
                return TypedResults.Ok(new WhoAmI(keys.Required, key?.Name, key?.Scopes ?? [], key?.Sources ?? []));
            })
            .WithName("WhoAmI")
            .WithSummary("The API key this request uses")
            .WithDescription("Its name, scopes and the sources it is restricted to (empty: every source). With no keys configured, " +
                "keysRequired is false.");
        return group;
    }
}
