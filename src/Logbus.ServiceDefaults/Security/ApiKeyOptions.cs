using System.ComponentModel.DataAnnotations;

namespace Logbus.ServiceDefaults.Security;

/// <summary>
/// API keys (section <c>ApiKeys</c>), shared by the Api, Query and the Worker. With none configured (development)
/// every route is open; once any is configured (here or in <see cref="File"/>), every route needs one whose scopes
/// cover it. Keys are stored only as SHA-256 hashes: <c>printf %s "$KEY" | sha256sum</c>, or <c>./logbus keys add</c>.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "ApiKeys";

    public IList<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>
    /// A JSON file of more keys (<c>{"Keys":[…]}</c>, the shape of this section), re-read whenever it changes: keys are
    /// added and revoked without a restart. Relative paths are from the working directory. Empty: no file.
    /// </summary>
    public string? File { get; set; }

    /// <summary>Requests per second allowed per client IP address for requests without a key (0 = no limit).</summary>
    [Range(0, 1_000_000)]
    public int AnonymousRequestsPerSecond { get; set; }

    /// <summary>Who may read <c>/metrics</c> and <c>/openapi</c> once keys are configured (default: loopback clients).</summary>
    public DiagnosticsAccess Diagnostics { get; set; } = DiagnosticsAccess.Loopback;
}

/// <summary>
/// One API key: its name (unique; shown in logs, metrics and on imports it started), its hash, its scopes, the sources
/// it is restricted to, the source its events get when they name none, and its rate.
/// </summary>
public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary><c>ingest</c>, <c>read</c>, <c>admin</c>. None given: <c>ingest</c> (what keys could do before scopes).</summary>
    public IList<string> Scopes { get; set; } = [];

    /// <summary>
    /// Globs (<c>orders-*</c>) of the sources this key covers: a read key sees only events of matching sources; an ingest
    /// key may send only events of matching sources. Empty: every source.
    /// </summary>
    public IList<string> Sources { get; set; } = [];

    /// <summary>The source an ingest key's events get when they name none.</summary>
    public string? Source { get; set; }

    /// <summary>Requests per second this key may send (0 = the route's default).</summary>
    public int RequestsPerSecond { get; set; }
}

/// <summary>Who may read the diagnostic routes (<c>/metrics</c>, <c>/openapi</c>) once keys are configured.</summary>
public enum DiagnosticsAccess
{
    /// <summary>Anyone connecting from the same machine; others need an <c>admin</c> key.</summary>
    Loopback,

    /// <summary>Anyone.</summary>
    Open,

    /// <summary>Only requests with an <c>admin</c> key.</summary>
    Admin,
}
