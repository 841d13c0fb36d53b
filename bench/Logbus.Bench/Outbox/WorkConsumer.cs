using MassTransit;

namespace Logbus.Bench.Outbox;

/// <summary>The consumer whose cost is measured with and without the inbox: one row per message, optionally one publish.</summary>
internal sealed class WorkConsumer(OutboxBenchDbContext db, BenchProbe probe) : IConsumer<BenchWork>
{
    public async Task Consume(ConsumeContext<BenchWork> context)
    {
        db.Items.Add(new BenchItem { Payload = context.Message.Payload });
        if (context.Message.Publish)
        {
            await context.Publish(new BenchEvent(context.Message.Index, context.Message.Payload));
        }

        await db.SaveChangesAsync(context.CancellationToken);
        probe.Work.Arrived();
    }
}
