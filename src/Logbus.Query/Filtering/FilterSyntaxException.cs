namespace Logbus.Query.Filtering;

/// <summary>A filter expression that cannot be run, with the column (1-based) of the text at fault.</summary>
public sealed class FilterSyntaxException(int column, string problem) : Exception($"At column {column}: {problem}")
{
    public int Column { get; } = column;

    public string Problem { get; } = problem;
}
