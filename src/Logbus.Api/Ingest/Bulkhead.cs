namespace Logbus.Api.Ingest;

/// <summary>
/// Caps how many requests of one kind (single events, batches, Seq) are in flight, so a flood of one kind cannot take
/// every thread and connection from the others. A request that finds no room within a moment gets 503 with Retry-After.
/// </summary>
public sealed class Bulkhead(string name, int limit, TimeSpan wait) : IEndpointFilter
{
    private readonly SemaphoreSlim _slots = new(limit, limit);

    public string Name { get; } = name;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!await _slots.WaitAsync(wait, context.HttpContext.RequestAborted))
        {
            IngestMetrics.Rejected(context.HttpContext, "busy");
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(
                $"More than {limit} {Name} requests are in progress; retry in a second.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Too busy");
        }

        try
        {
            return await next(context);
        }
        finally
        {
            _slots.Release();
        }
    }
}
