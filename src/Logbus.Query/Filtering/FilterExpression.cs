namespace Logbus.Query.Filtering;

/// <summary>A filter expression (<c>filter=</c>) as the client wrote it and as parsed, once, per request.</summary>
public sealed record FilterExpression(string Text, FilterNode Root)
{
    /// <exception cref="FilterSyntaxException">The expression is malformed or over the limits.</exception>
    public static FilterExpression Parse(string text, FilterOptions limits) => new(text, FilterParser.Parse(text, limits));
}
