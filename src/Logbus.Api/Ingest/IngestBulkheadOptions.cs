using System.ComponentModel.DataAnnotations;

namespace Logbus.Api.Ingest;

/// <summary>How many requests of each kind ingest runs at once, and how long one waits for a turn (section <c>Ingest:Bulkheads</c>).</summary>
public sealed class IngestBulkheadOptions
{
    public const string Section = "Ingest:Bulkheads";

    [Range(1, 100_000)]
    public int Single { get; set; } = 512;

    [Range(1, 100_000)]
    public int Batch { get; set; } = 32;

    [Range(1, 100_000)]
    public int Seq { get; set; } = 32;

    [Range(1, 100_000)]
    public int Otlp { get; set; } = 32;

    [Range(0, 600_000)]
    public int WaitMilliseconds { get; set; } = 200;
}
