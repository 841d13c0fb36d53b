using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

/// <summary>The concurrency limits of the ingest routes, one per kind of request (section <c>Ingest:Bulkheads</c>).</summary>
public sealed class IngestBulkheads
{
    public IngestBulkheads(IOptions<IngestBulkheadOptions> options)
    {
        var limits = options.Value;
        var wait = TimeSpan.FromMilliseconds(limits.WaitMilliseconds);
        Single = new Bulkhead("single-event", limits.Single, wait);
        Batch = new Bulkhead("batch", limits.Batch, wait);
        Seq = new Bulkhead("Seq", limits.Seq, wait);
        Otlp = new Bulkhead("OTLP", limits.Otlp, wait);
    }

    public Bulkhead Single { get; }

    public Bulkhead Batch { get; }

    public Bulkhead Seq { get; }

    public Bulkhead Otlp { get; }
}
