namespace Logbus.Query.Caching;

/// <summary>How long answers stay cached, and how patient the cache is with Redis (section <c>Cache</c>).</summary>
public sealed class CacheOptions
{
    public const string Section = "Cache";

    /// <summary>Statistics move constantly; a few seconds still absorbs a dashboard's refreshes.</summary>
    public TimeSpan StatsTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A search ending "now" sees new events arrive all the time.</summary>
    public TimeSpan OpenWindowTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A search over a window that ended a while ago changes only with late-arriving events.</summary>
    public TimeSpan ClosedWindowTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A window counts as closed once its end is this far in the past.</summary>
    public TimeSpan ClosedAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A stored event never changes.</summary>
    public TimeSpan EventTtl { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan SourcesTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a request waits on Redis before answering from PostgreSQL instead.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After Redis keeps failing, how long requests skip it before trying again.</summary>
    public TimeSpan RedisBreak { get; set; } = TimeSpan.FromSeconds(5);

    public string KeyPrefix { get; set; } = "logbus:query:";
}
