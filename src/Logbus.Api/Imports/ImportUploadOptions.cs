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

    /// <summary>
    /// The longest line (a CSV record, too) read, in bytes of UTF-8 for NDJSON and CLEF and in characters for CSV: a longer
    /// one is skipped as it streams, never held, and rejected at its line number. Far above what one event may hold.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxLineLength { get; set; } = 1024 * 1024;

    /// <summary>The largest upload as sent (compressed or not), in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>The largest upload once decompressed, in bytes (a compressed upload may not unpack beyond it).</summary>
    [Range(1, long.MaxValue)]
    public long MaxDecompressedBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// How long a chunk waits while Kafka's retention guard holds the topic (the Worker far behind) before it goes to the
    /// outbox instead; the upload is read no further meanwhile. Once a chunk waited this long, the rest of its upload no
    /// longer waits. Zero never waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxHoldWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Uploads the Api reads at once; one more is answered 429.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentUploads { get; set; } = 4;

    /// <summary>Uploads one client (its API key, else its IP address) may start per minute; 0 turns the limit off.</summary>
    [Range(0, 100_000)]
    public int UploadsPerMinutePerClient { get; set; } = 30;
}
