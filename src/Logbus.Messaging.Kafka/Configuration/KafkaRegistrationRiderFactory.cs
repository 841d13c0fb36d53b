using Confluent.Kafka;
using Logbus.Messaging.Kafka.Producing;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>Called by MassTransit when the bus is created: runs the user's <c>UsingKafka</c> configuration.</summary>
internal sealed class KafkaRegistrationRiderFactory(Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configure)
    : IRegistrationRiderFactory<IKafkaRider>
{
    public IBusInstanceSpecification CreateRider(IRiderRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var configurator = new KafkaFactoryConfigurator(context.GetService<ClientConfig>());
        configure(context, configurator);
        return configurator.Build(context.GetServices<ITopicKeySelector>(), context.GetRequiredService<KafkaRiderAccessor>());
    }
}
