namespace Logbus.ServiceDefaults.Security;

/// <summary>The key a request presented, once recognized.</summary>
/// <param name="Sources">Source globs this key is restricted to; empty for every source.</param>
/// <param name="Source">The source its ingested events get when they name none.</param>
public sealed record ApiKeyIdentity(string Name, IReadOnlyList<string> Scopes, IReadOnlyList<string> Sources, string? Source,
    int RequestsPerSecond)
{
    public bool Has(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);

    public bool IsSourceRestricted => Sources.Count > 0;

    /// <summary>Whether this key covers events of <paramref name="source"/>.</summary>
    public bool Covers(string source) => Sources.Count == 0 || Sources.Any(glob => SourceGlob.Matches(glob, source));
}
