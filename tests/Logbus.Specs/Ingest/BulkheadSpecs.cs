extern alias api;

using api::Logbus.Api.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Unit")]
public sealed class BulkheadSpecs
{
    [Fact]
    public async Task A_request_beyond_the_limit_gets_503_with_Retry_After_while_others_hold_the_slots()
    {
        var bulkhead = new Bulkhead("batch", limit: 1, wait: TimeSpan.FromMilliseconds(50));
        var release = new TaskCompletionSource<object?>();
        var first = new DefaultHttpContext();
        var second = new DefaultHttpContext();

        var holding = bulkhead.InvokeAsync(new DefaultEndpointFilterInvocationContext(first), _ => new ValueTask<object?>(release.Task));
        var refused = await bulkhead.InvokeAsync(new DefaultEndpointFilterInvocationContext(second), _ => ValueTask.FromResult<object?>("ran"));

        var problem = Assert.IsType<ProblemHttpResult>(refused);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        Assert.Equal("1", second.Response.Headers.RetryAfter.ToString());
        Assert.False(holding.IsCompleted);

        release.SetResult("done");
        Assert.Equal("done", await holding);
        Assert.Equal("ran", await bulkhead.InvokeAsync(new DefaultEndpointFilterInvocationContext(new DefaultHttpContext()), _ =>
            ValueTask.FromResult<object?>("ran")));
    }
}
