using System.Globalization;

namespace Logbus.ServiceDefaults.Security;

/// <summary>What makes a key entry unusable; checked at start-up for configuration, and at every load for the key file.</summary>
public static class ApiKeyValidation
{
    /// <summary>The longest key name (imports record the name of the key that started them).</summary>
    public const int MaxNameLength = 200;

    public static string? ProblemWith(ApiKeyEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (string.IsNullOrWhiteSpace(entry.Name))
        {
            return "every key needs a Name";
        }

        if (entry.Name.Length > MaxNameLength)
        {
            return $"the name '{entry.Name[..20]}…' is longer than {MaxNameLength} characters";
        }

        if (entry.Sha256.Length != 64 || !entry.Sha256.All(Uri.IsHexDigit))
        {
            return $"Sha256 of key '{entry.Name}' must be 64 hex digits (printf %s \"$KEY\" | sha256sum)";
        }

        if (entry.Scopes.FirstOrDefault(s => !KeyScopes.All.Contains(s.Trim().ToLowerInvariant())) is { } unknown)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"key '{entry.Name}' has scope '{unknown}'; scopes are {string.Join(", ", KeyScopes.All)}");
        }

        if (entry.RequestsPerSecond < 0)
        {
            return $"RequestsPerSecond of key '{entry.Name}' must not be negative";
        }

        return entry.Sources.Any(string.IsNullOrWhiteSpace) ? $"key '{entry.Name}' has an empty source pattern" : null;
    }

    /// <summary>The first problem among the configured keys, duplicate names included; null when they are all usable.</summary>
    public static string? ProblemWith(ApiKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Keys.Select(ProblemWith).FirstOrDefault(p => p is not null) is { } problem)
        {
            return "ApiKeys:Keys: " + problem + ".";
        }

        return options.Keys.GroupBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? $"ApiKeys:Keys: the name '{twice.Key}' is used by more than one key; names must be unique."
            : null;
    }
}
