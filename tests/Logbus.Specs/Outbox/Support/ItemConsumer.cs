using MassTransit;

namespace Logbus.Specs.Outbox.Support;

/// <summary>Stores an item and announces it: the business write and the publish that must commit together.</summary>
public sealed class ItemConsumer(OutboxSpecDbContext db, SpecProbe probe) : IConsumer<SubmitItem>
{
    public async Task Consume(ConsumeContext<SubmitItem> context)
    {
        var item = context.Message;
        probe.ConsumerRan(item.ItemId);
        db.ProcessedItems.Add(new ProcessedItem { ItemId = item.ItemId, MessageId = context.MessageId });
        for (var i = 0; i < item.Publishes; i++)
        {
            await context.Publish(new ItemStored(item.ItemId, i), send =>
            {
                if (item.FailFirstDelivery)
                {
                    // MassTransit's own switch: the outbox's first delivery attempt of this message throws.
                    send.Headers.Set("MT-Fail-Delivery", true);
                }
            });
        }

        await db.SaveChangesAsync(context.CancellationToken);
        if (item.FailAfterWork)
        {
            throw new InvalidOperationException("The consumer failed after writing and publishing.");
        }
    }
}
