namespace Logbus.ServiceDefaults.Browsers;

/// <summary>
/// Which web pages, besides the service's own, may call it from a browser (section <c>Cors</c>). Empty by default: no
/// CORS headers at all, so a browser lets no other origin read an answer or send anything but a simple request (which
/// the ingest routes refuse by Content-Type).
/// </summary>
public sealed class BrowserOriginsOptions
{
    public const string Section = "Cors";

    /// <summary>Origins as a browser sends them (<c>https://ops.example.com</c>: scheme, host and port, no path).</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
