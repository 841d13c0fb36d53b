using System.Globalization;
using System.Text;
using CsCheck;

namespace Logbus.Specs.Fuzzing;

/// <summary>Generators of text a careless or hostile client sends: mostly ordinary, with the characters and numbers parsers trip on.</summary>
internal static class HostileInput
{
    /// <summary>Characters: letters, the syntax of JSON, CSV and message templates, NUL, lone and paired surrogates, and any other.</summary>
    public static readonly Gen<char> Char = Gen.Frequency(
        (8, Gen.Char['a', 'z']),
        (3, Gen.Char[" ,;:\"'{}[]@$\\/.-+eE0123456789\r\n\t"]),
        (1, Gen.Char["\0\ud800\udbff\udc00\udfff\uffff\ufeff\u2028é€"]),
        (1, Gen.Char['\0', '\uffff']));

    /// <summary>Numbers as JSON spells them, with those PostgreSQL's <c>numeric</c> refuses or only just takes.</summary>
    public static readonly Gen<string> Number = Gen.Frequency(
        (3, Gen.OneOf("0", "-0", "1e999999", "-1e999999", "1e-16384", "1e-16383", "1e131071", "1e131072", "1E+2147483647",
            "1e-2147483648", "0e999999999", "123456789012345678901234567890", "1.7976931348623157e308", "5e-324", "0.000001")),
        (2, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (2, Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        (1, Gen.Select(Gen.Int[0, 9], Gen.Int[-200_000, 200_000], (m, e) => $"{m}e{e}")));

    public static Gen<string> Text(int maxLength) => Char.Array[0, maxLength].Select(c => new string(c));

    /// <summary>Text made of pieces from <paramref name="pieces"/> and hostile text, repeated a little or a lot.</summary>
    public static Gen<string> Pieces(Gen<string> pieces, int maxPieces) =>
        Gen.Frequency((4, pieces), (1, Text(8))).Array[0, maxPieces].Select(p => string.Concat(p));

    /// <summary>
    /// A JSON string literal of <paramref name="text"/>: control characters and surrogates as <c>\u</c> escapes (so a lone
    /// one stays lone).
    /// </summary>
    public static string Literal(string text)
    {
        var json = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => json.Append("\\\""),
                '\\' => json.Append("\\\\"),
                _ when c < ' ' || char.IsSurrogate(c) => json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => json.Append(c),
            };
        }

        return json.Append('"').ToString();
    }

    /// <summary>Any JSON value, nested a few levels, with hostile strings, names and numbers.</summary>
    public static readonly Gen<string> JsonValue = Gen.Recursive<string>((depth, self) =>
    {
        var scalar = Gen.Frequency(
            (3, Text(12).Select(Literal)),
            (2, Number),
            (1, Gen.OneOf("true", "false", "null")));
        if (depth >= 4)
        {
            return scalar;
        }

        var member = Gen.Select(Gen.Frequency((3, Gen.Char['a', 'e'].Array[1, 3].Select(c => new string(c))), (1, Text(6))).Select(Literal), self,
            (name, value) => $"{name}:{value}");
        return Gen.Frequency(
            (4, scalar),
            (1, member.Array[0, 5].Select(m => "{" + string.Join(",", m) + "}")),
            (1, self.Array[0, 5].Select(v => "[" + string.Join(",", v) + "]")));
    });

    /// <summary>A JSON object of hostile members.</summary>
    public static readonly Gen<string> JsonObject = Gen.Select(Text(6).Select(Literal), JsonValue, (name, value) => $"{name}:{value}")
        .Array[0, 6].Select(m => "{" + string.Join(",", m) + "}");

    /// <summary>
    /// Timestamps: near <paramref name="now"/> (inside and just outside the policy), anywhere in the calendar with any offset,
    /// and text that only looks like one.
    /// </summary>
    public static Gen<string> Timestamp(DateTimeOffset now) => Gen.Frequency(
        (4, Gen.Double[-32, 2].Select(days => Literal(now.AddDays(days).ToString("O", CultureInfo.InvariantCulture)))),
        (2, Gen.Select(Gen.Long[DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks], Gen.Int[-14 * 60, 14 * 60],
            (ticks, offset) => Literal(new DateTime(ticks).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture)
                + TimeSpan.FromMinutes(offset).ToString(offset < 0 ? "'-'hh':'mm" : "'+'hh':'mm", CultureInfo.InvariantCulture)))),
        (1, Gen.OneOf("\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59.9999999-14:00\"", "\"1969-07-20T20:17:40Z\"",
            "\"2999-01-01T00:00:00Z\"", "\"\"", "\"yesterday\"", "\"2026-02-30T00:00:00Z\"", "0", "null", "\"\\ud800\"")),
        (1, Text(30).Select(Literal)));

    /// <summary>The text as UTF-8, now and then with one byte broken (so not UTF-8, or not JSON).</summary>
    public static Gen<byte[]> Utf8Mutated(Gen<string> text) =>
        Gen.Select(text, Gen.Int[0, 7], Gen.Int[0, int.MaxValue], Gen.OneOf<byte>(0xFF, 0xC0, 0xED, 0x80, 0, (byte)'"', (byte)'\\'),
            (json, mutate, at, value) =>
            {
                var bytes = Encoding.UTF8.GetBytes(json);
                if (mutate == 0 && bytes.Length > 0)
                {
                    bytes[at % bytes.Length] = value;
                }

                return bytes;
            });
}
