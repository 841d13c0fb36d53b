namespace Logbus.Api.Security;

/// <summary>
/// Refuses ingest without a valid API key once keys are configured. With none configured ingest is open, and a
/// presented key is ignored rather than refused, as Seq does: clients send one anyway.
/// </summary>
public sealed class RequireApiKeyFilter(ApiKeys keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var identity = keys.Identify(context.HttpContext, out var presented);
        if (identity is null && keys.Required)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
            Ingest.IngestMetrics.Rejected(context.HttpContext, "unauthorized");
            return TypedResults.Problem(
                presented ? "The API key is not one this Logbus knows."
                    : "This Logbus requires an API key: send it in the X-Api-Key (or X-Seq-ApiKey) header, or as ?apiKey=.",
                statusCode: StatusCodes.Status401Unauthorized,
                title: presented ? "Unknown API key" : "API key required");
        }

        return await next(context);
    }
}
