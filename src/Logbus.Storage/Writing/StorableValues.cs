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

    /// <summary>
    /// The characters of a JSON number as PostgreSQL's <c>numeric</c> gives it back: written out in full, without an
    /// exponent, keeping the scale it was sent with (<c>1e400</c> is a 1 and 400 zeros, <c>1.50e-3</c> is <c>0.00150</c>).
    /// An upper bound for a negative zero (written back as <c>0</c>). For a number <see cref="IsStorableNumber"/> took.
    /// </summary>
    public static long WrittenOutLength(ReadOnlySpan<byte> number)
    {
        var negative = number.Length > 0 && number[0] == '-';
        var digits = negative ? number[1..] : number;
        var exponentAt = digits.IndexOfAny((byte)'e', (byte)'E');
        long exponent = 0;
        if (exponentAt >= 0 && !long.TryParse(digits[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return number.Length;
        }

        var mantissa = exponentAt >= 0 ? digits[..exponentAt] : digits;
        var point = mantissa.IndexOf((byte)'.');
        var integer = point >= 0 ? mantissa[..point] : mantissa;
        var fraction = point >= 0 ? mantissa[(point + 1)..] : [];
        // Where the decimal point lands among all the digits, and how many of those before it are leading zeros.
        var pointAt = integer.Length + exponent;
        var leadingZeros = Math.Min(integer.IndexOfAnyExcept((byte)'0') is var i and >= 0 ? i : integer.Length + LeadingZeros(fraction), pointAt);
        var integerDigits = Math.Max(1, pointAt - Math.Max(0, leadingZeros));
        var scale = Math.Max(0, fraction.Length - exponent);
        return (negative ? 1 : 0) + integerDigits + (scale > 0 ? 1 + scale : 0);
    }

    private static int LeadingZeros(ReadOnlySpan<byte> digits) => digits.IndexOfAnyExcept((byte)'0') is var i and >= 0 ? i : digits.Length;

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
