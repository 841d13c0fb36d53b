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

/// <summary>Counts delivered events.</summary>
internal sealed class EventCounter(BenchProbe probe) : IConsumer<BenchEvent>
{
    public Task Consume(ConsumeContext<BenchEvent> context)
    {
        probe.Events.Arrived();
        return Task.CompletedTask;
    }
}

/// <summary>Where one measurement's consumers report.</summary>
internal sealed class BenchProbe(int expected)
{
    public Arrivals Work { get; } = new(expected);

    public Arrivals Events { get; } = new(expected);
}
