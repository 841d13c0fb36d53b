namespace Logbus.Query.Filtering;

/// <summary>LIKE patterns, with backslash as PostgreSQL's default escape character.</summary>
public static class FilterPatterns
{
    /// <summary>Text that matches only itself: %, _ and \ escaped.</summary>
    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>A user's <c>like</c> pattern: % and _ are wildcards, every other character (\ too) matches itself.</summary>
    public static string UserPattern(string pattern) => pattern.Replace("\\", "\\\\", StringComparison.Ordinal);
}
