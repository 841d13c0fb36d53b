using MassTransit;

namespace Logbus.Specs.Outbox.Support;

/// <summary>Reads the error queue: a message that ends there failed for good.</summary>
public sealed class ErrorRecorder(SpecProbe probe) : IConsumer<SubmitItem>
{
    public Task Consume(ConsumeContext<SubmitItem> context)
    {
        probe.Receive(new FailedForGood(context.Message.ItemId), context.MessageId);
        return Task.CompletedTask;
    }
}
