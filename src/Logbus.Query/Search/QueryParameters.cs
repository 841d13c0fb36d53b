using System.Globalization;
using Logbus.Query.Filtering;
using Logbus.Storage;
using Logbus.Storage.Writing;
using Microsoft.Extensions.Primitives;

namespace Logbus.Query.Search;

/// <summary>Reads and checks the query-string parameters the search routes share.</summary>
public static class QueryParameters
{
    /// <summary>
    /// A time window. An ISO-8601 time without an offset is UTC. Without <paramref name="toName"/> the window ends now
    /// (open-ended); without <paramref name="fromName"/> it starts <paramref name="defaultSpan"/> before its end.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To, bool OpenEnded) Window(
        IQueryCollection query, string fromName, string toName, TimeSpan defaultSpan, DateTimeOffset now, QueryErrors errors)
    {
        var to = Time(query, toName, errors);
        var from = Time(query, fromName, errors);
        var end = to ?? now;
        // A window that would start before the calendar does starts with it (to=0001-01-01 asks for nothing, not a 500).
        var start = from ?? (end - DateTimeOffset.MinValue < defaultSpan ? DateTimeOffset.MinValue : end - defaultSpan);
        if (start >= end)
        {
            errors.Add(fromName, $"'{fromName}' must be earlier than '{toName}'.");
        }

        return (start, end, to is null);
    }

    public static DateTimeOffset? Time(IQueryCollection query, string name, QueryErrors errors)
    {
        if (Single(query, name) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var time))
        {
            return time;
        }

        errors.Add(name, $"'{text}' is not an ISO-8601 date and time (e.g. 2026-11-24T09:30:00Z).");
        return null;
    }

    /// <summary>Levels from repeated or comma-separated <c>level</c> values, or from <c>minLevel</c>; aliases allowed.</summary>
    public static IReadOnlyList<string> Levels(IQueryCollection query, string name, string? minimumName, QueryErrors errors)
    {
        var levels = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var value in Many(query, name))
        {
            if (LogLevels.TryNormalize(value, out var level))
            {
                levels.Add(level);
            }
            else
            {
                errors.Add(name, $"'{value}' is not a level. Use one of {string.Join(", ", LogLevels.All)} (or an alias such as Information, " +
                    "Warning, Verbose, Critical).");
            }
        }

        if (minimumName is not null && Single(query, minimumName) is { } minimum)
        {
            if (!LogLevels.TryNormalize(minimum, out var floor))
            {
                errors.Add(minimumName, $"'{minimum}' is not a level. Use one of {string.Join(", ", LogLevels.All)}.");
            }
            else if (levels.Count > 0)
            {
                errors.Add(minimumName, $"Give either '{name}' or '{minimumName}', not both.");
            }
            else
            {
                levels.UnionWith(LogLevels.AtLeast(floor));
            }
        }

        return [.. levels];
    }

    public static IReadOnlyList<string> Sources(IQueryCollection query, string name) =>
        [.. Many(query, name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Names every parameter whose name or value PostgreSQL could not be sent (NUL, an unpaired surrogate): it could match
    /// no stored event, and sending it would fail the query.
    /// </summary>
    public static void RefuseUnsendable(IQueryCollection query, QueryErrors errors)
    {
        foreach (var (key, values) in query)
        {
            var problem = StorableValues.ProblemWithText(key)
                ?? values.Select(v => StorableValues.ProblemWithText(v ?? "")).FirstOrDefault(p => p is not null);
            if (problem is not null)
            {
                errors.Add(key, $"'{key}' {problem}: no stored event holds such a value.");
            }
        }
    }

    /// <summary><c>meta.path.to.key=value</c> parameters.</summary>
    public static IReadOnlyList<MetadataCondition> Metadata(IQueryCollection query, QueryErrors errors)
    {
        var conditions = new List<MetadataCondition>();
        foreach (var (key, values) in query)
        {
            if (!key.StartsWith("meta.", StringComparison.Ordinal))
            {
                continue;
            }

            var path = key["meta.".Length..];
            if (path.Length == 0 || path.Split('.').Any(string.IsNullOrWhiteSpace))
            {
                errors.Add(key, "A metadata filter is meta.<key> or meta.<key>.<nested key>=<value>.");
                continue;
            }

            conditions.AddRange(values.Where(v => v is not null).Select(v => new MetadataCondition(path, v!)));
        }

        return conditions;
    }

    /// <summary><c>filter</c>: an expression of the filter language, parsed; a problem is reported with its column.</summary>
    public static FilterExpression? Filter(IQueryCollection query, FilterOptions? limits, QueryErrors errors)
    {
        // Not trimmed, so that the columns in error messages are those of the text the client sent.
        if (!query.TryGetValue("filter", out var values) || values.LastOrDefault() is not { } text || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return FilterExpression.Parse(text, limits ?? new FilterOptions());
        }
        catch (FilterSyntaxException e)
        {
            errors.Add("filter", e.Message);
            return null;
        }
    }

    public static int Int(IQueryCollection query, string name, int defaultValue, int min, int max, QueryErrors errors)
    {
        if (Single(query, name) is not { } text)
        {
            return defaultValue;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(name, $"'{name}' must be a whole number from {min} to {max}.");
        return defaultValue;
    }

    public static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.LastOrDefault() is { Length: > 0 } value ? value.Trim() : null;

    private static IEnumerable<string> Many(IQueryCollection query, string name) =>
        query.TryGetValue(name, out StringValues values)
            ? values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : [];
}
