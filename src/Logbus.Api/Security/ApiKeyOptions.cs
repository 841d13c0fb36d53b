namespace Logbus.Api.Security;

/// <summary>
/// API keys for ingest (section <c>ApiKeys</c>). With none configured (development), ingest is open; once any is
/// configured, every ingest request needs one. Keys are stored only as SHA-256 hashes:
/// <c>printf %s "$KEY" | sha256sum</c>.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "ApiKeys";

    public IList<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>Requests per second allowed per client IP address for requests without a key (0 = no limit).</summary>
    public int AnonymousRequestsPerSecond { get; set; }
}

/// <summary>One API key: who it is, its hash, the source its events get when they name none, and its rate.</summary>
public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public string Sha256 { get; set; } = "";

    public string? Source { get; set; }

    /// <summary>Requests per second this key may send (0 = no limit).</summary>
    public int RequestsPerSecond { get; set; }
}
