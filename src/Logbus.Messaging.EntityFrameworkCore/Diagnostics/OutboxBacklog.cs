namespace Logbus.Messaging.EntityFrameworkCore.Diagnostics;

/// <summary>One reading of what waits in a DbContext's outbox tables.</summary>
public readonly record struct OutboxBacklog(long PendingMessages, TimeSpan OldestAge, long UndeliveredInboxRows, TimeSpan OldestUndeliveredInboxAge);
