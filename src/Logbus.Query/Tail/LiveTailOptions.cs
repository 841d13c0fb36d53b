using System.ComponentModel.DataAnnotations;

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

    /// <summary>
    /// How long a storing transaction may take to commit and its events still be shown: <c>stored_at</c> is when the
    /// transaction started, so each poll re-reads this much before the previous one.
    /// </summary>
    public TimeSpan CommitLag { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many new events per poll; beyond it the newest are shown and an overflow is reported.</summary>
    [Range(1, 10_000)]
    public int MaxEventsPerPoll { get; set; } = 500;

    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Open tails in this Query instance; each polls PostgreSQL once per <see cref="PollInterval"/>.</summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 100;

    /// <summary>Open tails per client address, so one client cannot take all of <see cref="MaxConnections"/>.</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerClient { get; set; } = 10;
}
