using System.ComponentModel.DataAnnotations;

namespace Logbus.Storage;

/// <summary>How a service uses the database (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Upper bound of this service's connection pool, as in the tutorial (HikariCP, 20).</summary>
    [Range(1, 10_000)]
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>
    /// How long a request waits to open a connection or for a free pooled one. Short on purpose: when the pool is
    /// exhausted or PostgreSQL is gone, failing fast beats queueing.
    /// </summary>
    [Range(1, 3600)]
    public int ConnectionTimeoutSeconds { get; set; } = 5;

    /// <summary>0 waits for ever, as in Npgsql.</summary>
    [Range(0, 86_400)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How far a GIN index's pending list (the message-word and metadata indexes of <c>log_events</c>) grows in this
    /// service's sessions before the insert that crosses it merges the list into the index: PostgreSQL's
    /// <c>gin_pending_list_limit</c>, in kB (PostgreSQL's own default is 4,096). A smaller list is merged more often in
    /// smaller pieces: at 1 MB the CPU a stored row costs was the same within noise (-4 % to +5 % over three runs) and the
    /// slowest chunk commit 42-50 ms instead of 121-153 ms (<c>./logbus bench indexes</c>, bench/README.md). A limit set
    /// on an index itself wins.
    /// </summary>
    [Range(64, 2_097_151)]
    public int GinPendingListKilobytes { get; set; } = 1024;

    /// <summary>Apply migrations and prepare partitions when the service starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
