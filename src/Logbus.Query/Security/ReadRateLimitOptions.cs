using System.ComponentModel.DataAnnotations;

namespace Logbus.Query.Security;

/// <summary>The rate of Query's read API per API key, or per client IP address without one (section <c>Query:RateLimit</c>).</summary>
public sealed class ReadRateLimitOptions
{
    public const string Section = "Query:RateLimit";

    /// <summary>Requests per second (a second's worth of burst); 0 = no limit. A key's own RequestsPerSecond wins.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 50;
}
