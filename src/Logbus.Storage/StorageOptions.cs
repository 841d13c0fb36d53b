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

    /// <summary>Apply migrations and prepare partitions when the service starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
