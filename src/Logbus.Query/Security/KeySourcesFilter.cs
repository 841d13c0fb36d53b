using Logbus.ServiceDefaults.Security;

namespace Logbus.Query.Security;

/// <summary>
/// Refuses (403) a request naming a source (<c>?source=</c>) that its key's source restriction does not cover. Which
/// events a restricted key sees is decided in each query's WHERE clause (<see cref="Search.LogSearchFilter.SourceGlobs"/>);
/// this only answers a request that asks for more, so the client learns why it sees nothing.
/// </summary>
internal sealed class KeySourcesFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (RequestKey.Of(http) is { IsSourceRestricted: true } key)
        {
            var named = http.Request.Query["source"]
                .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            if (named.FirstOrDefault(source => !key.Covers(source)) is { } outside)
            {
                return KeyRefusals.Forbidden(http, KeyRefusals.Source,
                    $"The key '{key.Name}' covers only sources matching {string.Join(", ", key.Sources)}; '{outside}' is not one of them.");
            }
        }

        return await next(context);
    }
}
