namespace Logbus.Query.Filtering;

internal enum TokenKind
{
    Identifier,
    BuiltIn,
    String,
    Number,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Operator,
    End,
}

/// <summary>One token of a filter expression and the column (1-based) where it starts.</summary>
internal sealed record FilterToken(TokenKind Kind, string Text, int Column)
{
    public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind == TokenKind.End ? "the end of the expression" : $"'{Text}'";
}
