using MassTransit;

namespace Logbus.Specs.Outbox.Support;

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
