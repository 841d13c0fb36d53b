using System.ComponentModel.DataAnnotations;

namespace Logbus.Query.Database;

/// <summary>What one read of the Query service may cost PostgreSQL (section <c>Search</c>).</summary>
public sealed class SearchLimitsOptions
{
    public const string Section = "Search";

    /// <summary>
    /// PostgreSQL cancels a statement of the Query service that runs longer (<c>statement_timeout</c>); the client gets
    /// a 503 saying how to narrow the search. Below <c>Storage:CommandTimeoutSeconds</c>, so PostgreSQL gives up first.
    /// </summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The page-numbered (tutorial) routes skip <c>page × size</c> rows, which PostgreSQL reads and discards: a page may
    /// end at most this many rows in. Keyset paging (<c>cursor</c>) has no such limit.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxOffset { get; set; } = 10_000;

    /// <summary>
    /// Reads (searches, statistics, sources, tail polls) running at once in this instance. Below
    /// <c>Storage:MaxPoolSize</c>, so slow searches wait here, briefly, rather than for a pooled connection.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentReads { get; set; } = 16;

    /// <summary>How long a read waits for a turn before it is answered 503.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
