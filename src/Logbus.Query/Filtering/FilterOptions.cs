using System.ComponentModel.DataAnnotations;

namespace Logbus.Query.Filtering;

/// <summary>How large a filter expression (<c>filter=</c>) may be (section <c>Filter</c>).</summary>
public sealed class FilterOptions
{
    public const string Section = "Filter";

    /// <summary>Characters in one expression.</summary>
    [Range(1, 100_000)]
    public int MaxLength { get; set; } = 2_000;

    /// <summary>Conditions in one expression (each comparison, function, text search and <c>in</c> item counts once).</summary>
    [Range(1, 10_000)]
    public int MaxConditions { get; set; } = 64;

    /// <summary>How deeply parentheses and <c>not</c> may nest.</summary>
    [Range(1, 1_000)]
    public int MaxDepth { get; set; } = 32;
}
