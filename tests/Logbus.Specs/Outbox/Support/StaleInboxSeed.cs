using Logbus.Messaging.EntityFrameworkCore.Model;

namespace Logbus.Specs.Outbox.Support;

/// <summary>
/// Makes every new <see cref="OutboxSpecDbContext"/> start out tracking an outdated copy of an inbox row, the situation
/// EF's identity resolution creates: EF hands back a tracked instance as it is, so code that re-reads the row through the change tracker
/// sees the stale values instead of the committed ones.
/// </summary>
public sealed class StaleInboxSeed
{
    public StaleRow? Row { get; set; }

    public sealed record StaleRow(Guid MessageId, Guid ConsumerId)
    {
        public InboxState Copy() => new()
        {
            MessageId = MessageId,
            ConsumerId = ConsumerId,
            Received = DateTime.UtcNow,
            ReceiveCount = 1,
            Consumed = null,
            Delivered = null,
        };
    }
}
