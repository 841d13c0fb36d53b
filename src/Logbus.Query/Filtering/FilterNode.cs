namespace Logbus.Query.Filtering;

/// <summary>
/// A parsed filter expression. Each node keeps the column (1-based) where it starts, so that a problem found after
/// parsing (a value of the wrong kind) can still point at the text that caused it.
/// </summary>
public abstract record FilterNode(int Column);

public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Column);

public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Column);

public sealed record NotNode(FilterNode Operand, int At) : FilterNode(At);

/// <summary><c>operand op literal [ci]</c>; <c>in [...]</c> is parsed into an <see cref="OrNode"/> of these.</summary>
public sealed record ComparisonNode(FilterOperand Operand, ComparisonOperator Operator, FilterLiteral Value, bool IgnoreCase)
    : FilterNode(Operand.Column);

/// <summary><c>operand like 'pattern' [ci]</c>, and the text functions, which are patterns with the text escaped.</summary>
public sealed record LikeNode(FilterOperand Operand, string Pattern, bool IgnoreCase) : FilterNode(Operand.Column);

/// <summary><c>Has(operand)</c>: the property is present (even as JSON null), or the built-in is not null.</summary>
public sealed record HasNode(FilterOperand Operand, int At) : FilterNode(At);

/// <summary>A bare quoted string: the message contains this text, found through the message word index.</summary>
public sealed record TextSearchNode(string Text, int At) : FilterNode(At);

public enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>What a condition looks at: a built-in field (<c>@Level</c>) or a metadata property path.</summary>
public abstract record FilterOperand(int Column);

public sealed record BuiltInOperand(BuiltIn Field, string Name, int At) : FilterOperand(At);

/// <summary>A path into the metadata; a segment is an object key or, when it came from <c>[n]</c>, an array index.</summary>
public sealed record PropertyOperand(IReadOnlyList<PathSegment> Path, int At) : FilterOperand(At)
{
    public bool HasIndex => Path.Any(s => s.Index is not null);

    public IEnumerable<string> Segments => Path.Select(s => s.Key);

    public override string ToString() => string.Concat(Path.Select((s, i) =>
        s.Index is { } index ? $"[{index}]" : i == 0 ? s.Key : $"['{s.Key.Replace("'", "''", StringComparison.Ordinal)}']"));
}

public sealed record PathSegment(string Key, int? Index);

public enum BuiltIn
{
    Level,
    Message,
    Exception,
    Source,
    Timestamp,
    TraceId,
    SpanId,
    Id,
}

public enum LiteralKind
{
    String,
    Number,
    Boolean,
    Null,
}

/// <summary>A literal as written: its kind and its value (decimal, bool, string or null).</summary>
public sealed record FilterLiteral(LiteralKind Kind, object? Value, int Column)
{
    public string Text => Value as string ?? "";
}
