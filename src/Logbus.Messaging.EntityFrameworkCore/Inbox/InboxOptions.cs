namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>How long inbox rows are kept, and what happens to rows whose messages were never delivered.</summary>
public sealed class InboxOptions
{
    /// <summary>
    /// A delivered row is kept this long, and a copy arriving within it is skipped; a copy arriving later is processed
    /// again. It must exceed the broker's redelivery horizon (redelivery, rebalances, replays of old offsets).
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A consumed message whose sends have not all been delivered this long after it was consumed (its delivery failed
    /// every retry and the inbound copy went to an error queue) is stranded. See <see cref="StrandedMessages"/>.
    /// </summary>
    public TimeSpan StrandedAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>What the cleanup does with stranded rows.</summary>
    public StrandedMessageRule StrandedMessages { get; set; } = StrandedMessageRule.HandToBusOutbox;

    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows removed per statement, so a large backlog never holds a long lock.</summary>
    public int CleanupBatchSize { get; set; } = 1000;

    /// <summary>Run the cleanup in this process; with several instances running it is safe too.</summary>
    public bool CleanupEnabled { get; set; } = true;
}
