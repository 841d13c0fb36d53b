namespace Logbus.Query.Tail;

/// <summary>How live tail follows new events (section <c>Tail</c>).</summary>
public sealed class LiveTailOptions
{
    public const string Section = "Tail";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How late an event may be stored after its own timestamp and still be shown. Events stored later than that (an
    /// import of old logs, say) are not "live" and are left to search.
    /// </summary>
    public TimeSpan Lateness { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many new events per poll; beyond it the newest are shown and an overflow is reported.</summary>
    public int MaxEventsPerPoll { get; set; } = 500;

    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}
