using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

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
        ArgumentNullException.ThrowIfNull(text);
        // Almost all text holds neither: two vectorized scans decide it without looking at each character in turn.
        var span = text.AsSpan();
        if (!span.Contains('\0') && !span.ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return null;
        }

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
    public static string? ProblemWithJson(JsonElement json, int maxDepth) => ProblemWithJson(JsonMarshal.GetRawUtf8Value(json), maxDepth, out _);

    /// <summary>
    /// Why the JSON value <paramref name="json"/> (its UTF-8 text) cannot be stored as <c>jsonb</c> within
    /// <paramref name="maxDepth"/> levels of nesting, or null when it can; and the bytes PostgreSQL gives it back as, every
    /// number written out in full (<see cref="WrittenOutLength"/>). One pass over the text as it came: a string is read
    /// only when it holds an escape (plain UTF-8 can hold neither NUL nor a lone surrogate), where walking the parsed
    /// element read every string and number as a new .NET string.
    /// </summary>
    public static string? ProblemWithJson(ReadOnlySpan<byte> json, int maxDepth, out long storedLength)
    {
        storedLength = json.Length;
        // Strict, as jsonb's input is: a value that came through a lenient reader (the Worker's allows comments and
        // trailing commas) and kept them in its text would be refused by PostgreSQL with its whole chunk.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Math.Max(64, maxDepth + 1) });
        try
        {
            return Walk(ref reader, maxDepth, ref storedLength);
        }
        catch (JsonException)
        {
            return "must be plain JSON, as PostgreSQL's jsonb reads it (no comments, no trailing commas)";
        }
    }

    private static string? Walk(ref Utf8JsonReader reader, int maxDepth, ref long storedLength)
    {
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth + 1 > maxDepth:
                    return $"must nest at most {maxDepth} levels deep";
                case JsonTokenType.PropertyName:
                    if (!IsPlainText(ref reader))
                    {
                        if (TextOf(ref reader) is not { } name)
                        {
                            return "must be valid UTF-8 (a property name is not)";
                        }

                        if (ProblemWithText(name) is { } nameProblem)
                        {
                            return $"property name '{Shorten(name)}' {nameProblem}";
                        }
                    }

                    break;
                case JsonTokenType.String when !IsPlainText(ref reader):
                    if (TextOf(ref reader) is not { } text)
                    {
                        return "must be valid Unicode text (a string is not valid UTF-8 or holds a lone surrogate escape)";
                    }

                    if (ProblemWithText(text) is { } textProblem)
                    {
                        return textProblem;
                    }

                    break;
                case JsonTokenType.Number:
                    var number = reader.ValueSpan;
                    if (!IsStorableNumber(number))
                    {
                        return $"holds the number {Shorten(Encoding.ASCII.GetString(number[..Math.Min(number.Length, 41)]))}, outside what " +
                            "PostgreSQL's numeric stores";
                    }

                    storedLength += Math.Max(0, WrittenOutLength(number) - number.Length);
                    break;
            }
        }

        return null;
    }

    /// <summary>Whether a JSON number's UTF-8 text fits PostgreSQL's <c>numeric</c>.</summary>
    public static bool IsStorableNumber(ReadOnlySpan<byte> number)
    {
        // A number's text is ASCII; a long one (tens of thousands of digits) is rare enough to rent for.
        var rented = number.Length > 256 ? System.Buffers.ArrayPool<char>.Shared.Rent(number.Length) : null;
        try
        {
            Span<char> chars = rented ?? stackalloc char[number.Length];
            var written = Encoding.ASCII.GetChars(number, chars);
            return IsStorableNumber(chars[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

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
    /// An upper bound for a negative zero (written back as <c>0</c>). For a number <see cref="IsStorableNumber(ReadOnlySpan{byte})"/> took.
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
        // Where the decimal point lands among all the digits, and how many of those before it are leading zeros. Zero has
        // no digits before the point but its 0, whatever its exponent.
        var pointAt = integer.Length + exponent;
        var leadingZeros = integer.IndexOfAnyExcept((byte)'0') is var i and >= 0 ? i : integer.Length + LeadingZeros(fraction);
        var isZero = leadingZeros == integer.Length + fraction.Length;
        var integerDigits = isZero ? 1 : Math.Max(1, pointAt - Math.Min(leadingZeros, Math.Max(0, pointAt)));
        var scale = Math.Max(0, fraction.Length - exponent);
        return (negative ? 1 : 0) + integerDigits + (scale > 0 ? 1 + scale : 0);
    }

    private static int LeadingZeros(ReadOnlySpan<byte> digits) => digits.IndexOfAnyExcept((byte)'0') is var i and >= 0 ? i : digits.Length;

    /// <summary>A string or name without escapes whose bytes are valid UTF-8: storable as it is.</summary>
    private static bool IsPlainText(ref Utf8JsonReader reader) => !reader.ValueIsEscaped && Utf8.IsValid(reader.ValueSpan);

    /// <summary>The string or name, or null when it is not valid UTF-8 or escapes a lone surrogate.</summary>
    private static string? TextOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
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

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
