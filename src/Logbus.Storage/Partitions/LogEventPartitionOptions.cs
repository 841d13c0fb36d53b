using System.ComponentModel.DataAnnotations;

namespace Logbus.Storage.Partitions;

/// <summary>How far ahead <c>log_events</c> is partitioned, and how long events are kept (section <c>Storage:Partitions</c>).</summary>
public sealed class LogEventPartitionOptions
{
    public const string Section = "Storage:Partitions";

    /// <summary>Daily partitions prepared ahead of today (UTC).</summary>
    [Range(0, 366)]
    public int DaysAhead { get; set; } = 7;

    /// <summary>Daily partitions kept ready behind today, for late-arriving events.</summary>
    [Range(0, 366)]
    public int DaysBehind { get; set; } = 2;

    /// <summary>Events older than this many days are dropped, a whole partition at a time.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often the maintenance runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
