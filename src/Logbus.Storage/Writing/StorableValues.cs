using System.Globalization;
using System.Text.Json;

namespace Logbus.Storage.Writing;

/// <summary>
/// What PostgreSQL can store in <c>log_events</c>: text without NUL and with every surrogate paired (it is stored as
/// UTF-8), and <c>jsonb</c> whose strings are such text and whose numbers fit PostgreSQL's <c>numeric</c>. Whoever accepts
/// an event asks here first, so an event refused by the database is refused to its sender, not found out in the Worker
/// where it would fail a whole chunk of other callers' events.
/// </summary>
public static class StorableValues
{
    // PostgreSQL's numeric keeps at most 16,383 digits after the decimal point, a most significant digit at most
    // 131,071 places before it (a weight of 32,767 base-10000 digits), and refuses an exponent of 2^30 - 1 or more.
    private const int MaxScale = 16_383;
    private const int MaxWeight = 131_071;
    private const long MaxExponent = int.MaxValue / 2 - 1;

    /// <summary>Why <paramref name="text"/> cannot be stored as PostgreSQL text, or null when it can.</summary>
    public static string? ProblemWithText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return "must not contain the NUL character (\\u0000)";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "must be valid Unicode (it holds an unpaired surrogate)";
            }
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="json"/> cannot be stored as <c>jsonb</c> within <paramref name="maxDepth"/> levels of nesting,
    /// or null when it can. A string that is not valid UTF-8 or holds a lone surrogate escape is such a reason too.
    /// </summary>
    public static string? ProblemWithJson(JsonElement json, int maxDepth) => Walk(json, 0, maxDepth);

    /// <summary>Whether a JSON number's text fits PostgreSQL's <c>numeric</c>.</summary>
    public static bool IsStorableNumber(ReadOnlySpan<char> number)
    {
        var digits = number.TrimStart('-');
        var exponentAt = digits.IndexOfAny('e', 'E');
        long exponent = 0;
        if (exponentAt >= 0 && !long.TryParse(digits[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return false;
        }

        var mantissa = exponentAt >= 0 ? digits[..exponentAt] : digits;
        var point = mantissa.IndexOf('.');
        var integer = point >= 0 ? mantissa[..point] : mantissa;
        var fraction = point >= 0 ? mantissa[(point + 1)..] : [];
        if (Math.Abs(exponent) > MaxExponent || Math.Max(0, fraction.Length - exponent) > MaxScale)
        {
            return false;
        }

        // The weight is where the most significant digit sits; zero has none and fits whatever its exponent.
        var firstInInteger = integer.IndexOfAnyExcept('0');
        var firstInFraction = fraction.IndexOfAnyExcept('0');
        long? weight = firstInInteger >= 0 ? integer.Length - 1 - firstInInteger
            : firstInFraction >= 0 ? -(firstInFraction + 1)
            : null;
        return weight is null || weight + exponent <= MaxWeight;
    }

    private static string? Walk(JsonElement json, int depth, int maxDepth)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth + 1 > maxDepth)
                {
                    return $"must nest at most {maxDepth} levels deep";
                }

                foreach (var property in json.EnumerateObject())
                {
                    if (NameOf(property) is not { } name)
                    {
                        return "must be valid UTF-8 (a property name is not)";
                    }

                    if (ProblemWithText(name) is { } nameProblem)
                    {
                        return $"property name '{Shorten(name)}' {nameProblem}";
                    }

                    if (Walk(property.Value, depth + 1, maxDepth) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (depth + 1 > maxDepth)
                {
                    return $"must nest at most {maxDepth} levels deep";
                }

                foreach (var item in json.EnumerateArray())
                {
                    if (Walk(item, depth + 1, maxDepth) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.String:
                return StringOf(json) is { } text
                    ? ProblemWithText(text)
                    : "must be valid Unicode text (a string is not valid UTF-8 or holds a lone surrogate escape)";
            case JsonValueKind.Number:
                var raw = json.GetRawText();
                return IsStorableNumber(raw) ? null : $"holds the number {Shorten(raw)}, outside what PostgreSQL's numeric stores";
            default:
                return null;
        }
    }

    /// <summary>
    /// The string, or null when the JSON text is not valid UTF-8 or escapes a lone surrogate: System.Text.Json finds that
    /// out only when asked for the string.
    /// </summary>
    public static string? StringOf(JsonElement text)
    {
        try
        {
            return text.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
