extern alias bench;

using bench::Logbus.Bench.Data;
using System.Globalization;
using System.Text.Json;

namespace Logbus.Specs.Query;

/// <summary>
/// What a search must return, computed in memory from the generated events with the API's documented semantics, to
/// compare with what the API computes in PostgreSQL.
/// </summary>
internal sealed record ReferenceQuery(
    DateTimeOffset From,
    DateTimeOffset To,
    string[]? Levels = null,
    string[]? Sources = null,
    string? Text = null,
    (string Path, string Value)[]? Meta = null,
    string? TraceId = null,
    bool OldestFirst = false)
{
    public IEnumerable<GeneratedEvent> Apply(IEnumerable<GeneratedEvent> events)
    {
        var matching = events.Where(Matches);
        return OldestFirst
            ? matching.OrderBy(e => e.Timestamp).ThenBy(e => e.Id, StringComparer.Ordinal)
            : matching.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal);
    }

    public bool Matches(GeneratedEvent e) =>
        e.Timestamp >= From && e.Timestamp < To
        && (Levels is null || Levels.Contains(e.Level))
        && (Sources is null || Sources.Contains(e.Source))
        && (Text is null || TextMatches(e.Message, Text))
        && (Meta is null || Meta.All(m => MetaMatches(e, m.Path, m.Value)))
        && (TraceId is null || e.TraceId == TraceId);

    /// <summary>The query string for the API, with the same meaning.</summary>
    public string ToQueryString(int limit)
    {
        var parts = new List<string>
        {
            $"from={Uri.EscapeDataString(From.ToString("O", CultureInfo.InvariantCulture))}",
            $"to={Uri.EscapeDataString(To.ToString("O", CultureInfo.InvariantCulture))}",
            $"limit={limit}",
        };
        parts.AddRange((Levels ?? []).Select(l => $"level={l}"));
        parts.AddRange((Sources ?? []).Select(s => $"source={Uri.EscapeDataString(s)}"));
        if (Text is not null)
        {
            parts.Add($"q={Uri.EscapeDataString(Text)}");
        }

        parts.AddRange((Meta ?? []).Select(m => $"meta.{m.Path}={Uri.EscapeDataString(m.Value)}"));
        if (TraceId is not null)
        {
            parts.Add($"traceId={TraceId}");
        }

        if (OldestFirst)
        {
            parts.Add("order=asc");
        }

        return string.Join('&', parts);
    }

    /// <summary>The phrase occurs in the message (any case), and each of its words starts a word of the message.</summary>
    private static bool TextMatches(string message, string text)
    {
        var phrase = text.Trim();
        if (!message.Contains(phrase, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var words = Words(message);
        return Words(phrase).All(q => words.Any(w => w.StartsWith(q, StringComparison.Ordinal)));
    }

    private static string[] Words(string text) =>
        text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The value at the path equals the text as a string, or as the JSON literal the text spells.</summary>
    private static bool MetaMatches(GeneratedEvent e, string path, string value)
    {
        if (e.MetadataValue(path) is not { } actual)
        {
            return false;
        }

        if (actual == JsonSerializer.Serialize(value))
        {
            return true;
        }

        return value is "true" or "false" or "null" || decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? actual == value
            : false;
    }
}
