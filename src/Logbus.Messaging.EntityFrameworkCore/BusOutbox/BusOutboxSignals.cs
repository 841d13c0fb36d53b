using Microsoft.EntityFrameworkCore;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Announces committed bus-outbox rows of one DbContext type: to this process's delivery service at once, and to other
/// processes through a NOTIFY that <see cref="OutboxNotifier{TDbContext}"/> sends after the commit.
/// </summary>
public sealed class BusOutboxSignals<TDbContext>
    where TDbContext : DbContext
{
    internal AsyncSignal Delivery { get; } = new();

    internal AsyncSignal Notify { get; } = new();

    /// <summary>Identifies this process's NOTIFY payloads, so its own listener ignores them.</summary>
    internal string InstanceId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Rows were committed here: wake the local delivery service and tell the other processes.</summary>
    public void Committed()
    {
        Delivery.Set();
        Notify.Set();
    }
}
