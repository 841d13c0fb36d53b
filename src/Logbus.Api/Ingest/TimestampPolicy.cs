using System.Globalization;
using Logbus.Storage.Partitions;

namespace Logbus.Api.Ingest;

/// <summary>
/// How old and how far ahead an event's timestamp may be, for every route: no older than the retention (an older event
/// would be dropped with its partition by the next maintenance run, after its sender was told it was stored) and no
/// further ahead than <see cref="IngestOptions.MaxTimestampAhead"/> (which start-up keeps within the partitions prepared
/// ahead, so a future-dated event never waits in the default partition).
/// </summary>
public sealed class TimestampPolicy(IngestOptions ingest, LogEventPartitionOptions partitions)
{
    public const string RetentionSetting = LogEventPartitionOptions.Section + ":" + nameof(LogEventPartitionOptions.RetentionDays);
    public const string AheadSetting = IngestOptions.Section + ":" + nameof(IngestOptions.MaxTimestampAhead);

    /// <summary>Why <paramref name="timestamp"/> is outside the policy for an event received at <paramref name="receivedAt"/>, or null.</summary>
    public string? ProblemWith(DateTimeOffset timestamp, DateTimeOffset receivedAt)
    {
        var oldest = receivedAt - TimeSpan.FromDays(partitions.RetentionDays);
        if (timestamp < oldest)
        {
            return $"must be at most {partitions.RetentionDays} days old, the retention ({RetentionSetting}): not before {Format(oldest)} " +
                $"(it is {Format(timestamp)}); older events are never stored";
        }

        var latest = receivedAt + ingest.MaxTimestampAhead;
        if (timestamp > latest)
        {
            return $"must be at most {Describe(ingest.MaxTimestampAhead)} ahead of the time it is received ({AheadSetting}): not after " +
                $"{Format(latest)} (it is {Format(timestamp)})";
        }

        return null;
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan span) => span.TotalHours is var hours && hours % 24 == 0
        ? $"{hours / 24:0.##} day(s)"
        : span.ToString("c", CultureInfo.InvariantCulture);
}
