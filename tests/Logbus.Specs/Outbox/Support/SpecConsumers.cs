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

/// <summary>A downstream consumer without an inbox: records every copy it gets.</summary>
public sealed class Recorder(SpecProbe probe) : IConsumer<ItemStored>, IConsumer<RequestAccepted>
{
    public Task Consume(ConsumeContext<ItemStored> context)
    {
        probe.Receive(context.Message, context.MessageId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<RequestAccepted> context)
    {
        probe.Receive(context.Message, context.MessageId);
        return Task.CompletedTask;
    }
}

/// <summary>Reads the error queue: a message that ends there failed for good.</summary>
public sealed class ErrorRecorder(SpecProbe probe) : IConsumer<SubmitItem>
{
    public Task Consume(ConsumeContext<SubmitItem> context)
    {
        probe.Receive(new FailedForGood(context.Message.ItemId), context.MessageId);
        return Task.CompletedTask;
    }
}

/// <summary>Recorded by <see cref="ErrorRecorder"/>.</summary>
public sealed record FailedForGood(Guid ItemId);

/// <summary>Reads the saga endpoint's error queue.</summary>
public sealed class CounterErrorRecorder(SpecProbe probe) : IConsumer<CounterStepped>
{
    public Task Consume(ConsumeContext<CounterStepped> context)
    {
        probe.Receive(new FailedForGood(context.Message.CounterId), context.MessageId);
        return Task.CompletedTask;
    }
}
