using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Logbus.Query.Filtering;

/// <summary>
/// Compiles a parsed filter into a SQL condition on <c>log_events</c>. Every value and path the client wrote becomes a
/// bound parameter; only fixed SQL text is concatenated.
/// </summary>
/// <remarks>
/// Conditions on a property that is absent, or holds a value of another kind than the literal, are false (SQL NULL,
/// which AND, OR and WHERE treat as false); <c>not</c> turns such a condition true, so it compiles to <c>IS NOT TRUE</c>.
/// </remarks>
public sealed class FilterSql
{
    private readonly NpgsqlCommand _command;
    private readonly StringBuilder _sql = new();

    private FilterSql(NpgsqlCommand command) => _command = command;

    /// <summary>The condition, parenthesized, with its parameters added to <paramref name="command"/>.</summary>
    public static string Where(FilterNode node, NpgsqlCommand command)
    {
        var compiler = new FilterSql(command);
        compiler.Append(node);
        return compiler._sql.ToString();
    }

    private void Append(FilterNode node)
    {
        _sql.Append('(');
        switch (node)
        {
            case AndNode and:
                Append(and.Left);
                _sql.Append(" AND ");
                Append(and.Right);
                break;
            case OrNode or:
                Append(or.Left);
                _sql.Append(" OR ");
                Append(or.Right);
                break;
            case NotNode not:
                Append(not.Operand);
                _sql.Append(" IS NOT TRUE");
                break;
            case TextSearchNode text:
                AppendTextSearch(text.Text);
                break;
            case HasNode has:
                _sql.Append(has.Operand is BuiltInOperand field ? Column(field.Field) : Json((PropertyOperand)has.Operand)).Append(" IS NOT NULL");
                break;
            case LikeNode like:
                _sql.Append(Text(like.Operand)).Append(like.IgnoreCase ? " ILIKE " : " LIKE ").Append(Parameter(like.Pattern));
                break;
            case ComparisonNode { Operand: BuiltInOperand b } c:
                AppendBuiltIn(b, c);
                break;
            case ComparisonNode { Operand: PropertyOperand p } c:
                AppendProperty(p, c);
                break;
            default:
                throw new InvalidOperationException($"no SQL for {node.GetType().Name}");
        }

        _sql.Append(')');
    }

    /// <summary>
    /// As <c>q=</c>: the word index finds messages having a word starting with each word of the text (PostgreSQL
    /// tokenizes both, the same way), and ILIKE keeps those containing the whole text.
    /// </summary>
    private void AppendTextSearch(string text)
    {
        var phrase = Parameter("%" + FilterPatterns.EscapeLike(text.Trim()) + "%");
        if (text.Any(char.IsLetterOrDigit))
        {
            var words = Parameter(text);
            _sql.Append("to_tsvector('simple'::regconfig, message) @@ (SELECT to_tsquery('simple'::regconfig, ")
                .Append("coalesce(string_agg(quote_literal(lexeme) || ':*', ' & '), '')) FROM unnest(to_tsvector('simple'::regconfig, ")
                .Append(words).Append("))) AND ");
        }

        _sql.Append("message ILIKE ").Append(phrase);
    }

    private void AppendBuiltIn(BuiltInOperand operand, ComparisonNode c)
    {
        var column = Column(operand.Field);
        if (c.Value.Kind == LiteralKind.Null)
        {
            _sql.Append(column).Append(c.Operator == ComparisonOperator.Equal ? " IS NULL" : " IS NOT NULL");
            return;
        }

        if (operand.Field == BuiltIn.Timestamp)
        {
            _sql.Append(column).Append(Operator(c.Operator)).Append(Parameter((DateTimeOffset)c.Value.Value!));
            return;
        }

        var value = Parameter(c.Value.Text);
        _sql.Append(c.IgnoreCase ? $"lower({column})" : column).Append(Ordered(c.Operator) ? " COLLATE \"C\"" : "")
            .Append(Operator(c.Operator)).Append(c.IgnoreCase ? $"lower({value})" : value);
    }

    private void AppendProperty(PropertyOperand operand, ComparisonNode c)
    {
        var literal = c.Value;
        if (literal.Kind == LiteralKind.Null)
        {
            _sql.Append(c.Operator == ComparisonOperator.Equal ? $"coalesce({Json(operand)}, 'null'::jsonb) = 'null'::jsonb"
                : $"{Json(operand)} <> 'null'::jsonb");
        }
        else if (c.Operator == ComparisonOperator.Equal && !c.IgnoreCase && !operand.HasIndex)
        {
            // Containment, which the metadata index (jsonb_path_ops) serves; exact for a path of object keys.
            _sql.Append("metadata @> ").Append(JsonParameter(Nest(operand, Json(literal))));
        }
        else if (c.IgnoreCase)
        {
            _sql.Append($"lower({Text(operand)})").Append(Ordered(c.Operator) ? " COLLATE \"C\"" : "")
                .Append(Operator(c.Operator)).Append($"lower({Parameter(literal.Text)})");
        }
        else if (c.Operator is ComparisonOperator.Equal or ComparisonOperator.NotEqual)
        {
            // jsonb equality: numbers by value (500 = 500.0), never a number equal to a string.
            _sql.Append(Json(operand)).Append(Operator(c.Operator)).Append(JsonParameter(Json(literal)!.ToJsonString()));
        }
        else if (literal.Kind == LiteralKind.Number)
        {
            var json = Json(operand);
            _sql.Append($"(CASE WHEN jsonb_typeof({json}) = 'number' THEN ({json})::numeric END)").Append(Operator(c.Operator))
                .Append(Parameter((decimal)literal.Value!));
        }
        else
        {
            _sql.Append(Text(operand)).Append(" COLLATE \"C\"").Append(Operator(c.Operator)).Append(Parameter(literal.Text));
        }
    }

    /// <summary>The operand as text: a built-in column, or a property's value when it is a JSON string (else NULL).</summary>
    private string Text(FilterOperand operand)
    {
        if (operand is BuiltInOperand b)
        {
            return Column(b.Field);
        }

        var json = Json((PropertyOperand)operand);
        return $"(CASE WHEN jsonb_typeof({json}) = 'string' THEN {json} #>> '{{}}' END)";
    }

    private string Json(PropertyOperand operand)
    {
        var name = Name();
        _command.Parameters.Add(new NpgsqlParameter<string[]>(name, [.. operand.Segments]));
        return $"(metadata #> @{name})";
    }

    private static JsonNode? Json(FilterLiteral literal) => literal.Kind switch
    {
        LiteralKind.String => JsonValue.Create(literal.Text),
        LiteralKind.Number => JsonValue.Create((decimal)literal.Value!),
        LiteralKind.Boolean => JsonValue.Create((bool)literal.Value!),
        _ => null,
    };

    private static string Nest(PropertyOperand operand, JsonNode? leaf)
    {
        var node = leaf;
        foreach (var key in operand.Segments.Reverse())
        {
            node = new JsonObject { [key] = node };
        }

        return node!.ToJsonString();
    }

    private string Parameter<T>(T value)
    {
        var name = Name();
        _command.Parameters.Add(new NpgsqlParameter<T>(name, value));
        return "@" + name;
    }

    private string JsonParameter(string json)
    {
        var name = Name();
        _command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = json });
        return "@" + name;
    }

    private string Name() => "f" + _command.Parameters.Count.ToString(CultureInfo.InvariantCulture);

    private static bool Ordered(ComparisonOperator op) => op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual);

    private static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => " = ",
        ComparisonOperator.NotEqual => " <> ",
        ComparisonOperator.Less => " < ",
        ComparisonOperator.LessOrEqual => " <= ",
        ComparisonOperator.Greater => " > ",
        _ => " >= ",
    };

    private static string Column(BuiltIn field) => field switch
    {
        BuiltIn.Level => "level",
        BuiltIn.Message => "message",
        BuiltIn.Exception => "exception",
        BuiltIn.Source => "source",
        BuiltIn.Timestamp => "\"timestamp\"",
        BuiltIn.TraceId => "trace_id",
        BuiltIn.SpanId => "span_id",
        _ => "id",
    };
}
