using System.Text;
using System.Text.Json;
using Logbus.Storage.Writing;
using Serilog.Parsing;

namespace Logbus.Api.Seq;

/// <summary>
/// Renders a Serilog message template (<c>"User {UserId} logged in after {Elapsed:0.0} ms"</c>) with the event's
/// properties, as Serilog renders it: strings in double quotes unless formatted <c>:l</c>, other scalars as written;
/// tokens with a format take their text from the CLEF renderings (<c>@r</c>), in order; a token without a value stays
/// as written. Used when a CLEF event carries a template but no rendered message. Serilog's own parser reads the
/// template; the template comes from the client, so the rendering is bounded here: alignment is capped at
/// <see cref="MaxAlignment"/> and the text at <see cref="MaxRenderedLength"/> characters.
/// </summary>
public static class MessageTemplateRenderer
{
    /// <summary>The widest alignment honoured: <c>{A,1000000000}</c> pads to this, not to a gigabyte.</summary>
    public const int MaxAlignment = 1024;

    /// <summary>
    /// Where rendering stops, in characters. Above the ingest limit on a message (32 KiB by default), so an event cut
    /// here is still refused as too long rather than stored cut short.
    /// </summary>
    public const int MaxRenderedLength = 1024 * 1024;

    private static readonly MessageTemplateParser Parser = new();

    /// <param name="quoteStrings">
    /// False renders strings bare, as Microsoft.Extensions.Logging formats its templates (OTLP's <c>{OriginalFormat}</c>).
    /// </param>
    public static string Render(string template, Func<string, JsonElement?> property, IReadOnlyList<string> renderings,
        bool quoteStrings = true)
    {
        Serilog.Events.MessageTemplate parsed;
        try
        {
            parsed = Parser.Parse(template);
        }
        catch (OverflowException)
        {
            // Serilog's parser takes the absolute value of an alignment, which int.MinValue does not have.
            return Bounded(template);
        }

        var text = new StringBuilder(Math.Min(template.Length + 32, MaxRenderedLength));
        var rendering = 0;
        foreach (var token in parsed.Tokens)
        {
            var piece = token switch
            {
                TextToken t => t.Text,
                PropertyToken p => RenderProperty(p, property, renderings, quoteStrings, ref rendering),
                _ => token.ToString() ?? "",
            };
            if (!Append(text, piece))
            {
                break;
            }
        }

        return text.ToString();
    }

    private static string RenderProperty(
        PropertyToken token, Func<string, JsonElement?> property, IReadOnlyList<string> renderings, bool quoteStrings, ref int rendering)
    {
        string rendered;
        if (token.Format is not null && rendering < renderings.Count)
        {
            rendered = renderings[rendering++];
        }
        else if (property(token.PropertyName) is { } value && Scalar(value, quoteStrings ? token.Format : "l") is { } scalar)
        {
            rendered = scalar;
        }
        else
        {
            // No value, or a string that is not Unicode: the event is then refused for its metadata, which holds the
            // same string, with a 400 naming it.
            return token.ToString();
        }

        if (token.Alignment is not { } alignment)
        {
            return rendered;
        }

        var width = Math.Min(alignment.Width, MaxAlignment);
        return alignment.Direction == AlignmentDirection.Left ? rendered.PadRight(width) : rendered.PadLeft(width);
    }

    /// <summary>Appends as much of <paramref name="piece"/> as fits; false once the text is full.</summary>
    private static bool Append(StringBuilder text, string piece)
    {
        var room = MaxRenderedLength - text.Length;
        text.Append(piece, 0, Math.Min(room, piece.Length));
        return piece.Length < room;
    }

    private static string Bounded(string template) => template.Length <= MaxRenderedLength ? template : template[..MaxRenderedLength];

    /// <summary>The value as Serilog renders it, or null for a string that is not valid Unicode (a lone surrogate escape).</summary>
    private static string? Scalar(JsonElement value, string? format) => value.ValueKind switch
    {
        JsonValueKind.String => StorableValues.StringOf(value) is not { } text ? null : format == "l" ? text : JsonSerializer.Serialize(text),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null => "null",
        _ => value.GetRawText(),
    };
}
