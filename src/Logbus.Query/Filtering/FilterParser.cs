using System.Globalization;
using Logbus.Storage;

namespace Logbus.Query.Filtering;

/// <summary>
/// Parses Seq-style filter expressions (recursive descent, precedence <c>or</c> &lt; <c>and</c> &lt; <c>not</c>) and
/// checks each condition's values against what it compares, so that every problem is reported with its column before
/// anything reaches PostgreSQL.
/// </summary>
public sealed class FilterParser
{
    private static readonly Dictionary<string, BuiltIn> BuiltIns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@Level"] = BuiltIn.Level,
        ["@Message"] = BuiltIn.Message,
        ["@Exception"] = BuiltIn.Exception,
        ["@Source"] = BuiltIn.Source,
        ["@Timestamp"] = BuiltIn.Timestamp,
        ["@TraceId"] = BuiltIn.TraceId,
        ["@SpanId"] = BuiltIn.SpanId,
        ["@Id"] = BuiltIn.Id,
    };

    private static readonly string[] Keywords = ["and", "or", "not", "like", "in", "ci", "true", "false", "null"];

    private readonly List<FilterToken> _tokens;
    private readonly FilterOptions _limits;
    private int _next;
    private int _conditions;
    private int _depth;

    private FilterParser(List<FilterToken> tokens, FilterOptions limits)
    {
        _tokens = tokens;
        _limits = limits;
    }

    /// <exception cref="FilterSyntaxException">The expression is malformed, or larger than the limits allow.</exception>
    public static FilterNode Parse(string text, FilterOptions limits)
    {
        if (text.Length > limits.MaxLength)
        {
            throw new FilterSyntaxException(limits.MaxLength + 1,
                $"the expression is {text.Length} characters long; at most {limits.MaxLength} are allowed (setting {FilterOptions.Section}:"
                + $"{nameof(FilterOptions.MaxLength)}).");
        }

        var parser = new FilterParser(FilterLexer.Tokenize(text), limits);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw new FilterSyntaxException(1, "the expression is empty.");
        }

        var node = parser.ParseOr();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw new FilterSyntaxException(parser.Peek.Column,
                $"expected 'and', 'or' or the end of the expression, found {parser.Peek.Describe()}.");
        }

        return node;
    }

    private FilterToken Peek => _tokens[_next];

    private FilterToken Take() => _tokens[_next++];

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (Peek.IsKeyword("or"))
        {
            Take();
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseUnary();
        while (Peek.IsKeyword("and"))
        {
            Take();
            left = new AndNode(left, ParseUnary());
        }

        return left;
    }

    private FilterNode ParseUnary()
    {
        if (Peek.IsKeyword("not"))
        {
            var not = Take();
            return Nested(not.Column, () => new NotNode(ParseUnary(), not.Column));
        }

        if (Peek.Kind == TokenKind.LeftParen)
        {
            var open = Take();
            var inner = Nested(open.Column, ParseOr);
            Expect(TokenKind.RightParen, $"')' to close the '(' at column {open.Column}");
            return inner;
        }

        if (Peek.Kind == TokenKind.String)
        {
            var text = Take();
            Count(text.Column);
            return new TextSearchNode(text.Text, text.Column);
        }

        return ParseCondition();
    }

    private FilterNode Nested(int column, Func<FilterNode> parse)
    {
        if (++_depth > _limits.MaxDepth)
        {
            throw new FilterSyntaxException(column, $"parentheses and 'not' nest deeper than {_limits.MaxDepth} (setting "
                + $"{FilterOptions.Section}:{nameof(FilterOptions.MaxDepth)}).");
        }

        var node = parse();
        _depth--;
        return node;
    }

    private FilterNode ParseCondition()
    {
        var start = Peek;
        if (start.Kind == TokenKind.Identifier && _tokens[_next + 1].Kind == TokenKind.LeftParen)
        {
            return ParseFunction();
        }

        var operand = ParseOperand();
        var op = Peek;
        if (op.Kind == TokenKind.Operator)
        {
            Take();
            var literal = ParseLiteral();
            Count(op.Column);
            return Checked(new ComparisonNode(operand, Operator(op.Text), literal, IgnoreCase()), op.Column);
        }

        if (op.IsKeyword("like"))
        {
            Take();
            var pattern = ParseLiteral();
            if (pattern.Kind != LiteralKind.String)
            {
                throw new FilterSyntaxException(pattern.Column, "'like' takes a quoted pattern, such as 'time%out'.");
            }

            Count(op.Column);
            return Checked(new LikeNode(operand, FilterPatterns.UserPattern(pattern.Text), IgnoreCase()), op.Column);
        }

        if (op.IsKeyword("in"))
        {
            Take();
            return ParseIn(operand, op);
        }

        throw new FilterSyntaxException(op.Column, $"expected a comparison (=, <>, <, <=, >, >=, like, in) after '{Describe(operand)}', "
            + $"found {op.Describe()}.");
    }

    private FilterNode ParseIn(FilterOperand operand, FilterToken op)
    {
        Expect(TokenKind.LeftBracket, "'[' to start the list after 'in'");
        var values = new List<FilterLiteral> { ParseLiteral() };
        while (Peek.Kind == TokenKind.Comma)
        {
            Take();
            values.Add(ParseLiteral());
        }

        Expect(TokenKind.RightBracket, "',' or ']' in the list after 'in'");
        var ignoreCase = IgnoreCase();
        FilterNode? any = null;
        foreach (var value in values)
        {
            Count(value.Column);
            var equal = Checked(new ComparisonNode(operand, ComparisonOperator.Equal, value, ignoreCase), op.Column);
            any = any is null ? equal : new OrNode(any, equal);
        }

        return any!;
    }

    private FilterNode ParseFunction()
    {
        var name = Take();
        Take();
        var function = name.Text.ToLowerInvariant();
        if (function is not ("has" or "startswith" or "endswith" or "contains"))
        {
            throw new FilterSyntaxException(name.Column, $"'{name.Text}' is not a function: use Has, StartsWith, EndsWith or Contains.");
        }

        var operand = ParseOperand();
        Count(name.Column);
        if (function == "has")
        {
            Expect(TokenKind.RightParen, "')' after Has's one argument");
            return new HasNode(operand, name.Column);
        }

        Expect(TokenKind.Comma, $"',' and the text to look for after {name.Text}'s first argument");
        var text = ParseLiteral();
        if (text.Kind != LiteralKind.String)
        {
            throw new FilterSyntaxException(text.Column, $"{name.Text} looks for quoted text, such as '{name.Text}(@Message, 'time')'.");
        }

        Expect(TokenKind.RightParen, $"')' after {name.Text}'s two arguments");
        var escaped = FilterPatterns.EscapeLike(text.Text);
        var pattern = function switch
        {
            "startswith" => escaped + "%",
            "endswith" => "%" + escaped,
            _ => "%" + escaped + "%",
        };
        return Checked(new LikeNode(operand, pattern, IgnoreCase()), name.Column);
    }

    private FilterOperand ParseOperand()
    {
        var token = Take();
        if (token.Kind == TokenKind.BuiltIn)
        {
            return BuiltIns.TryGetValue(token.Text, out var field)
                ? new BuiltInOperand(field, token.Text, token.Column)
                : throw new FilterSyntaxException(token.Column, $"'{token.Text}' is not a built-in property: use one of "
                    + $"{string.Join(", ", BuiltIns.Keys)}.");
        }

        if (token.Kind != TokenKind.Identifier || Keywords.Contains(token.Text, StringComparer.OrdinalIgnoreCase))
        {
            throw new FilterSyntaxException(token.Column, $"expected a property (a name such as userId, or a built-in such as @Level), "
                + $"found {token.Describe()}.");
        }

        var path = new List<PathSegment> { new(token.Text, null) };
        while (true)
        {
            if (Peek.Kind == TokenKind.Dot)
            {
                Take();
                var key = Take();
                if (key.Kind != TokenKind.Identifier)
                {
                    throw new FilterSyntaxException(key.Column, $"expected a property name after '.', found {key.Describe()}.");
                }

                path.Add(new PathSegment(key.Text, null));
            }
            else if (Peek.Kind == TokenKind.LeftBracket)
            {
                Take();
                path.Add(ParseIndexer());
            }
            else
            {
                return new PropertyOperand(path, token.Column);
            }
        }
    }

    private PathSegment ParseIndexer()
    {
        var index = Take();
        PathSegment segment;
        if (index.Kind == TokenKind.String)
        {
            segment = new PathSegment(index.Text, null);
        }
        else if (index.Kind == TokenKind.Number && int.TryParse(index.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            segment = new PathSegment(index.Text, n);
        }
        else
        {
            throw new FilterSyntaxException(index.Column,
                $"expected an array index (0, 1, ...) or a quoted key inside [ ], found {index.Describe()}.");
        }

        Expect(TokenKind.RightBracket, "']' after the index");
        return segment;
    }

    private FilterLiteral ParseLiteral()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.String:
                return new FilterLiteral(LiteralKind.String, token.Text, token.Column);
            case TokenKind.Number:
                if (decimal.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return new FilterLiteral(LiteralKind.Number, number, token.Column);
                }

                throw new FilterSyntaxException(token.Column, $"{token.Text} is not a number Logbus can compare.");
            case TokenKind.Identifier when token.IsKeyword("true") || token.IsKeyword("false"):
                return new FilterLiteral(LiteralKind.Boolean, token.IsKeyword("true"), token.Column);
            case TokenKind.Identifier when token.IsKeyword("null"):
                return new FilterLiteral(LiteralKind.Null, null, token.Column);
            default:
                throw new FilterSyntaxException(token.Column, "expected a value (a quoted string, a number, true, false or null), found "
                    + $"{token.Describe()}.");
        }
    }

    private bool IgnoreCase()
    {
        if (!Peek.IsKeyword("ci"))
        {
            return false;
        }

        Take();
        return true;
    }

    private void Expect(TokenKind kind, string what)
    {
        if (Peek.Kind != kind)
        {
            throw new FilterSyntaxException(Peek.Column, $"expected {what}, found {Peek.Describe()}.");
        }

        Take();
    }

    private void Count(int column)
    {
        if (++_conditions > _limits.MaxConditions)
        {
            throw new FilterSyntaxException(column, $"the expression has more than {_limits.MaxConditions} conditions (setting "
                + $"{FilterOptions.Section}:{nameof(FilterOptions.MaxConditions)}).");
        }
    }

    private static ComparisonOperator Operator(string text) => text switch
    {
        "=" or "==" => ComparisonOperator.Equal,
        "<>" or "!=" => ComparisonOperator.NotEqual,
        "<" => ComparisonOperator.Less,
        "<=" => ComparisonOperator.LessOrEqual,
        ">" => ComparisonOperator.Greater,
        _ => ComparisonOperator.GreaterOrEqual,
    };

    private static string Describe(FilterOperand operand) => operand switch
    {
        BuiltInOperand b => b.Name,
        _ => operand.ToString()!,
    };

    /// <summary>Refuses a value that cannot be compared with the operand the way the operator asks.</summary>
    private static FilterNode Checked(FilterNode node, int column)
    {
        switch (node)
        {
            case ComparisonNode { Operand: BuiltInOperand b } c:
                return CheckBuiltIn(c, b);
            case ComparisonNode { Operand: PropertyOperand } c:
                if (c.Value.Kind is LiteralKind.Boolean or LiteralKind.Null
                    && c.Operator is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
                {
                    throw new FilterSyntaxException(column, $"{Kind(c.Value)} can only be compared with = or <>.");
                }

                if (c.IgnoreCase && c.Value.Kind != LiteralKind.String)
                {
                    throw new FilterSyntaxException(column, "'ci' applies to text only.");
                }

                return c;
            case LikeNode { Operand: BuiltInOperand { Field: BuiltIn.Timestamp } }:
                throw new FilterSyntaxException(column, "@Timestamp is a time: compare it with =, <, >= and an ISO-8601 time.");
            default:
                return node;
        }
    }

    private static ComparisonNode CheckBuiltIn(ComparisonNode c, BuiltInOperand b)
    {
        if (c.Value.Kind == LiteralKind.Null)
        {
            return c.Operator is ComparisonOperator.Equal or ComparisonOperator.NotEqual
                ? c
                : throw new FilterSyntaxException(c.Value.Column, "null can only be compared with = or <>.");
        }

        if (c.Value.Kind != LiteralKind.String)
        {
            throw new FilterSyntaxException(c.Value.Column, $"{b.Name} holds {(b.Field == BuiltIn.Timestamp ? "a time" : "text")}: "
                + $"compare it with a quoted {(b.Field == BuiltIn.Timestamp ? "ISO-8601 time" : "string")}.");
        }

        if (b.Field == BuiltIn.Timestamp)
        {
            if (c.IgnoreCase)
            {
                throw new FilterSyntaxException(c.Value.Column, "'ci' applies to text only, not to @Timestamp.");
            }

            return DateTimeOffset.TryParse(c.Value.Text, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                ? c with { Value = c.Value with { Value = time } }
                : throw new FilterSyntaxException(c.Value.Column, $"'{c.Value.Text}' is not an ISO-8601 time (e.g. 2026-11-24T09:30:00Z).");
        }

        // Levels are stored normalized: @Level = 'Warning' means WARN, as level=Warning does.
        return b.Field == BuiltIn.Level && c.Operator is ComparisonOperator.Equal or ComparisonOperator.NotEqual
            && LogLevels.TryNormalize(c.Value.Text, out var level)
            ? c with { Value = c.Value with { Value = level } }
            : c;
    }

    private static string Kind(FilterLiteral literal) => literal.Kind == LiteralKind.Null ? "null" : "true and false";
}
