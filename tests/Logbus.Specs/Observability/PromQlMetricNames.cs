using System.Text;

namespace Logbus.Specs.Observability;

/// <summary>
/// The metric names a PromQL expression selects: every bare identifier that is not a function, keyword or label name.
/// Label matchers (<c>{…}</c>), ranges (<c>[…]</c>), strings, numbers and grouping lists (<c>by (…)</c>) are skipped, so
/// what remains is exactly the vector selectors' names. Enough for the expressions Logbus writes; not a full parser
/// (Prometheus itself parses each expression too, and refuses what is malformed).
/// </summary>
internal static class PromQlMetricNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
        "inf", "nan", "atan2",
        // Aggregation operators may be followed by "by (…)" rather than "(".
        "sum", "min", "max", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
    };

    private static readonly HashSet<string> Grouping = new(StringComparer.Ordinal) { "by", "without", "on", "ignoring", "group_left", "group_right" };

    public static IReadOnlySet<string> Of(string expression)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        string? previousWord = null;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(expression, i);
                previousWord = null;
            }
            else if (c is '{' or '[')
            {
                i = SkipTo(expression, i, c == '{' ? '}' : ']');
                previousWord = null;
            }
            else if (c == '(' && previousWord is not null && Grouping.Contains(previousWord))
            {
                i = SkipTo(expression, i, ')');
                previousWord = null;
            }
            else if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var word = new StringBuilder();
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '_' or ':'))
                {
                    word.Append(expression[i++]);
                }

                var next = NextNonSpace(expression, i);
                var text = word.ToString();
                if (next != '(' && !Keywords.Contains(text.ToLowerInvariant()))
                {
                    names.Add(text);
                }

                previousWord = text;
            }
            else if (char.IsAsciiDigit(c))
            {
                // Numbers and durations (5m, 1e3, 0x1F).
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] == '.'))
                {
                    i++;
                }

                previousWord = null;
            }
            else
            {
                if (!char.IsWhiteSpace(c))
                {
                    previousWord = null;
                }

                i++;
            }
        }

        return names;
    }

    private static char NextNonSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i < text.Length ? text[i] : '\0';
    }

    private static int SkipString(string text, int start)
    {
        var quote = text[start];
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            i += text[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return i + 1;
    }

    private static int SkipTo(string text, int start, char end)
    {
        var i = start + 1;
        while (i < text.Length && text[i] != end)
        {
            i = text[i] is '"' or '\'' or '`' ? SkipString(text, i) : i + 1;
        }

        return i + 1;
    }
}
