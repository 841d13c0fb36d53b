namespace Logbus.Api.Ingest;

/// <summary>The concurrency limits of the ingest routes, one per kind of request (section <c>Ingest:Bulkheads</c>).</summary>
public sealed class IngestBulkheads
{
    public IngestBulkheads(IConfiguration configuration)
    {
        var section = configuration.GetSection("Ingest:Bulkheads");
        var wait = TimeSpan.FromMilliseconds(section.GetValue("WaitMilliseconds", 200));
        Single = new Bulkhead("single-event", section.GetValue("Single", 512), wait);
        Batch = new Bulkhead("batch", section.GetValue("Batch", 32), wait);
        Seq = new Bulkhead("Seq", section.GetValue("Seq", 32), wait);
    }

    public Bulkhead Single { get; }

    public Bulkhead Batch { get; }

    public Bulkhead Seq { get; }
}
