namespace Logbus.Api.Imports;

/// <summary>Bulk imports on the Api (section <c>Imports</c>).</summary>
public sealed class ImportUploadOptions
{
    public const string Section = "Imports";

    /// <summary>Where the import saga listens; the Worker's <c>Worker:Storing:ProgressTopic</c>.</summary>
    public string Topic { get; set; } = Contracts.Topics.Imports;

    /// <summary>How many rejected lines an import reports with their reasons (all are counted).</summary>
    public int MaxReportedErrors { get; set; } = 100;

    /// <summary>The upload looks for a cancel request after this many chunks.</summary>
    public int CancelCheckEveryChunks { get; set; } = 10;
}
