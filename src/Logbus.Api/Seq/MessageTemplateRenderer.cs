using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Logbus.Api.Seq;

/// <summary>
/// Renders a Serilog message template (<c>"User {UserId} logged in after {Elapsed:0.0} ms"</c>) with the event's
/// properties, as Serilog renders it: strings in double quotes unless formatted <c>:l</c>, other scalars as written;
/// tokens with a format take their text from the CLEF renderings (<c>@r</c>), in order; a token without a value stays
/// as written. Used when a CLEF event carries a template but no rendered message.
/// </summary>
public static class MessageTemplateRenderer
{
    public static string Render(string template, Func<string, JsonElement?> property, IReadOnlyList<string> renderings)
    {
        var text = new StringBuilder(template.Length + 32);
        var rendering = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                text.Append('{');
                i++;
                continue;
            }

            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                text.Append('}');
                i++;
                continue;
            }

            var close = c == '{' ? template.IndexOf('}', i + 1) : -1;
            if (close < 0)
            {
                text.Append(c);
                continue;
            }

            var token = template[(i + 1)..close];
            text.Append(RenderToken(token, property, renderings, ref rendering) ?? template[i..(close + 1)]);
            i = close;
        }

        return text.ToString();
    }

    private static string? RenderToken(string token, Func<string, JsonElement?> property, IReadOnlyList<string> renderings, ref int rendering)
    {
        var name = token.TrimStart('@', '$');
        string? format = null;
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            format = name[(colon + 1)..];
            name = name[..colon];
        }

        var alignment = 0;
        var comma = name.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0)
        {
            _ = int.TryParse(name[(comma + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out alignment);
            name = name[..comma];
        }

        if (name.Length == 0 || !name.All(ch => char.IsLetterOrDigit(ch) || ch == '_'))
        {
            return null;
        }

        string? rendered;
        if (format is not null && rendering < renderings.Count)
        {
            rendered = renderings[rendering++];
        }
        else if (property(name) is { } value)
        {
            rendered = Scalar(value, format);
        }
        else
        {
            return null;
        }

        return alignment switch
        {
            > 0 => rendered.PadLeft(alignment),
            < 0 => rendered.PadRight(-alignment),
            _ => rendered,
        };
    }

    private static string Scalar(JsonElement value, string? format) => value.ValueKind switch
    {
        JsonValueKind.String when format == "l" => value.GetString()!,
        JsonValueKind.String => JsonSerializer.Serialize(value.GetString()),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null => "null",
        _ => value.GetRawText(),
    };
}
