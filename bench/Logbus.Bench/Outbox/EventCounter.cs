using MassTransit;

namespace Logbus.Bench.Outbox;

/// <summary>Counts delivered events.</summary>
internal sealed class EventCounter(BenchProbe probe) : IConsumer<BenchEvent>
{
    public Task Consume(ConsumeContext<BenchEvent> context)
    {
        probe.Events.Arrived();
        return Task.CompletedTask;
    }
}
