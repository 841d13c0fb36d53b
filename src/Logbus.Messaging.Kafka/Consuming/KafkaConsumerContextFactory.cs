using MassTransit;
using MassTransit.Agents;

namespace Logbus.Messaging.Kafka.Consuming;

internal sealed class KafkaConsumerContextFactory : IPipeContextFactory<KafkaConsumerContext>
{
    public IPipeContextAgent<KafkaConsumerContext> CreateContext(ISupervisor supervisor)
    {
        ArgumentNullException.ThrowIfNull(supervisor);
        return supervisor.AddContext(new KafkaConsumerContext(supervisor.Stopped));
    }

    public IActivePipeContextAgent<KafkaConsumerContext> CreateActiveContext(ISupervisor supervisor, PipeContextHandle<KafkaConsumerContext> context,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(supervisor);
        ArgumentNullException.ThrowIfNull(context);
        return supervisor.AddActiveContext(context, context.Context);
    }
}
