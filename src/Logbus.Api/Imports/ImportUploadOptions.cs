using System.ComponentModel.DataAnnotations;

namespace Logbus.Api.Imports;

/// <summary>
/// Bulk imports on the Api (section <c>Imports</c>); the topic is <c>Kafka:Topics:Imports</c>
/// (<see cref="Contracts.TopicOptions"/>).
/// </summary>
public sealed class ImportUploadOptions
{
    public const string Section = "Imports";

    /// <summary>How many rejected lines an import reports with their reasons (all are counted).</summary>
    [Range(0, 10_000)]
    public int MaxReportedErrors { get; set; } = 100;

    /// <summary>The upload looks for a cancel request after this many chunks.</summary>
    [Range(1, int.MaxValue)]
    public int CancelCheckEveryChunks { get; set; } = 10;
}
