using System.ComponentModel.DataAnnotations;

namespace Logbus.Query.Export;

/// <summary>How exports read, how many may stream at once and how CSV guards spreadsheets (section <c>Export</c>).</summary>
public sealed class ExportOptions
{
    public const string Section = "Export";

    /// <summary>
    /// Events read per keyset page. Each page is one short query under <c>Search:StatementTimeout</c> and holds one of
    /// <c>Search:MaxConcurrentReads</c> only while it runs; memory holds one page at a time, whatever the export's size.
    /// </summary>
    [Range(1, 50_000)]
    public int PageSize { get; set; } = 2_000;

    /// <summary>
    /// Tries of one page before the export is cut. Once rows have gone out, a failed page can no longer become an error
    /// answer, so a page refused by a read limit (no turn within <c>Search:QueueTimeout</c>, past
    /// <c>Search:StatementTimeout</c>) or failed by PostgreSQL being briefly unreachable is read again.
    /// </summary>
    [Range(1, 100)]
    public int PageAttempts { get; set; } = 5;

    /// <summary>The wait before a page's second try; it doubles before each further one (1 + 2 + 4 + 8 s at most by default).</summary>
    public TimeSpan PageRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Exports streaming at once in this instance. Each holds up to a page in memory and takes a read turn per page for as
    /// long as the client downloads, so the cap bounds both, and leaves read turns to interactive searches.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrent { get; set; } = 8;

    /// <summary>Exports streaming at once per API key (per client address without one), so one script cannot take them all.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentPerClient { get; set; } = 2;

    /// <summary>
    /// A CSV cell that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return gets a leading
    /// <c>'</c>, so a spreadsheet shows it as text instead of running it as a formula (log text is whatever clients
    /// sent). NDJSON is never changed: it is the format for machines that need every byte as stored.
    /// </summary>
    public bool CsvEscapeFormulas { get; set; } = true;
}
