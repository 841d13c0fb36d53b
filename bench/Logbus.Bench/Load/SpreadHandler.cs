namespace Logbus.Bench.Load;

/// <summary>
/// Sends each request to the next of several Api instances in turn, as a load balancer in front of stateless Apis
/// would: requests are built against the first instance's address and moved to the next one's here.
/// </summary>
internal sealed class SpreadHandler(IReadOnlyList<Uri> instances, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private long _next = -1;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (instances.Count > 1 && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            var target = instances[(int)(Interlocked.Increment(ref _next) % instances.Count)];
            request.RequestUri = new UriBuilder(uri) { Host = target.Host, Port = target.Port }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
