using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// The keyed <c>"topic"</c> send endpoint provider in DI. It may be resolved before the bus exists (an outbox delivery
/// service starts early), so it finds the rider on first use, creating the bus instance if need be.
/// </summary>
internal sealed class DeferredTopicSendEndpointProvider(KafkaRiderAccessor accessor, IServiceProvider provider) : ISendEndpointProvider
{
    public Task<ISendEndpoint> GetSendEndpoint(Uri address) => Rider.TopicEndpoints.GetSendEndpoint(address);

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => Rider.TopicEndpoints.ConnectSendObserver(observer);

    private KafkaRider Rider
    {
        get
        {
            if (accessor.Rider is null)
            {
                // Creating the bus instance runs the rider factory, which sets the accessor.
                _ = provider.GetRequiredService<IBusInstance>();
            }

            return accessor.Rider
                ?? throw new InvalidOperationException("The Kafka rider was not created with the bus; call UsingKafka in AddRider.");
        }
    }
}
