using System.Text;

namespace Logbus.Query.Filtering;

/// <summary>Splits a filter expression into tokens. Strings are quoted with ' or " and double their quote to contain it.</summary>
internal static class FilterLexer
{
    public static List<FilterToken> Tokenize(string text)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var column = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(new FilterToken(TokenKind.String, ReadString(text, ref i), column));
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i;
                i = ReadNumber(text, i + 1);
                tokens.Add(new FilterToken(TokenKind.Number, text[start..i], column));
            }
            else if (IsNameStart(c) || (c == '@' && i + 1 < text.Length && IsNameStart(text[i + 1])))
            {
                var start = i++;
                while (i < text.Length && IsNamePart(text[i]))
                {
                    i++;
                }

                tokens.Add(new FilterToken(c == '@' ? TokenKind.BuiltIn : TokenKind.Identifier, text[start..i], column));
            }
            else
            {
                tokens.Add(Punctuation(text, ref i, column));
            }
        }

        tokens.Add(new FilterToken(TokenKind.End, "", text.Length + 1));
        return tokens;
    }

    private static FilterToken Punctuation(string text, ref int i, int column)
    {
        var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
        if (two is "<>" or "!=" or "<=" or ">=" or "==")
        {
            i += 2;
            return new FilterToken(TokenKind.Operator, two, column);
        }

        var c = text[i++];
        return c switch
        {
            '(' => new FilterToken(TokenKind.LeftParen, "(", column),
            ')' => new FilterToken(TokenKind.RightParen, ")", column),
            '[' => new FilterToken(TokenKind.LeftBracket, "[", column),
            ']' => new FilterToken(TokenKind.RightBracket, "]", column),
            ',' => new FilterToken(TokenKind.Comma, ",", column),
            '.' => new FilterToken(TokenKind.Dot, ".", column),
            '=' or '<' or '>' => new FilterToken(TokenKind.Operator, c.ToString(), column),
            _ => throw new FilterSyntaxException(column, $"'{c}' has no meaning here; quote text with ' or \"."),
        };
    }

    private static string ReadString(string text, ref int i)
    {
        var quote = text[i];
        var start = i++;
        var value = new StringBuilder();
        while (i < text.Length)
        {
            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return value.ToString();
            }

            value.Append(text[i++]);
        }

        throw new FilterSyntaxException(start + 1, $"this string has no closing {quote}.");
    }

    /// <summary>Digits, then optionally a fraction and an exponent; returns where the number ends.</summary>
    private static int ReadNumber(string text, int i)
    {
        i = Digits(text, i);
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            i = Digits(text, i + 1);
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var exponent = i + 1 < text.Length && text[i + 1] is '+' or '-' ? i + 2 : i + 1;
            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                i = Digits(text, exponent);
            }
        }

        return i;
    }

    private static int Digits(string text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsNameStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsNamePart(char c) => char.IsLetterOrDigit(c) || c == '_';
}
