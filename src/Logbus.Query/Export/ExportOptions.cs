using System.ComponentModel.DataAnnotations;

namespace Logbus.Query.Export;

/// <summary>How exports read (section <c>Export</c>).</summary>
public sealed class ExportOptions
{
    public const string Section = "Export";

    /// <summary>
    /// Events read per keyset page. Each page is one short query under <c>Search:StatementTimeout</c> and holds one of
    /// <c>Search:MaxConcurrentReads</c> only while it runs; memory holds one page at a time, whatever the export's size.
    /// </summary>
    [Range(1, 50_000)]
    public int PageSize { get; set; } = 2_000;
}
