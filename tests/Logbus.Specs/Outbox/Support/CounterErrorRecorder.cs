using MassTransit;

namespace Logbus.Specs.Outbox.Support;

/// <summary>Reads the saga endpoint's error queue.</summary>
public sealed class CounterErrorRecorder(SpecProbe probe) : IConsumer<CounterStepped>
{
    public Task Consume(ConsumeContext<CounterStepped> context)
    {
        probe.Receive(new FailedForGood(context.Message.CounterId), context.MessageId);
        return Task.CompletedTask;
    }
}
