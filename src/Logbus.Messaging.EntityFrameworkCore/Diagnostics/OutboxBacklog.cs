namespace Logbus.Messaging.EntityFrameworkCore.Diagnostics;

/// <summary>One reading of what waits in a DbContext's outbox tables.</summary>
/// <param name="InboxRows">All inbox rows (the duplicate-detection window), as PostgreSQL's planner estimates it.</param>
public readonly record struct OutboxBacklog(long PendingMessages, TimeSpan OldestAge, long UndeliveredInboxRows, TimeSpan OldestUndeliveredInboxAge,
    long InboxRows = 0, long ParkedMessages = 0);
