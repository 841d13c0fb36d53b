using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.ServiceDefaults.Security;

/// <summary>The key of the current request, for handlers that narrow what a key sees (sources) or owns (imports).</summary>
public static class RequestKey
{
    /// <summary>The request's key when keys are configured and it presented a known one; otherwise null.</summary>
    public static ApiKeyIdentity? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<ApiKeys>().Identify(context, out _);
    }

    /// <summary>
    /// Who a per-client limit counts the request against: its key when it presented one (behind a proxy every client may
    /// share one address), otherwise its address.
    /// </summary>
    public static string Client(HttpContext context, ApiKeyIdentity? key)
    {
        ArgumentNullException.ThrowIfNull(context);
        return key is null ? "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown") : "key:" + key.Name;
    }

    /// <summary>The source globs the request is restricted to: the key's, or none (every source).</summary>
    public static IReadOnlyList<string> SourceGlobs(HttpContext context) => Of(context)?.Sources ?? [];

    /// <summary>Whether the request may see details kept from others (health): keys are off, or it has an admin key.</summary>
    public static bool IsAdmin(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keys = context.RequestServices.GetRequiredService<ApiKeys>();
        return !keys.Required || keys.Identify(context, out _)?.Has(KeyScopes.Admin) == true;
    }
}
