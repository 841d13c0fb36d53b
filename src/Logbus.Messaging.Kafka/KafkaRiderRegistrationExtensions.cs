using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Producing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Logbus.Messaging.Kafka;

public static class KafkaRiderRegistrationExtensions
{
    /// <summary>
    /// Uses Kafka for this rider: <c>x.AddRider(r => r.UsingKafka((context, k) => { k.Host(…); k.TopicEndpoint&lt;T&gt;(…); }))</c>.
    /// </summary>
    /// <remarks>
    /// Registers <see cref="IKafkaRider"/>, a scoped <see cref="ITopicProducerProvider"/>, and the keyed singleton
    /// <see cref="ISendEndpointProvider"/> with service key <see cref="TopicAddress.Scheme"/> (<c>"topic"</c>) whose
    /// send endpoints produce to <c>topic:&lt;name&gt;</c> addresses (see <see cref="TopicAddress"/>).
    /// </remarks>
    public static void UsingKafka(this IRiderRegistrationConfigurator configurator,
        Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configure)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(configure);

        configurator.TryAddSingleton<KafkaRiderAccessor>();
        configurator.SetRiderFactory(new KafkaRegistrationRiderFactory(configure));
        configurator.TryAddScoped<IKafkaRider, ITopicProducerProvider>((rider, scope) => new ScopedTopicProducerProvider((KafkaRider)rider, scope));
        configurator.TryAddKeyedSingleton<ISendEndpointProvider>(TopicAddress.Scheme,
            (provider, _) => new DeferredTopicSendEndpointProvider(provider.GetRequiredService<KafkaRiderAccessor>(), provider));
    }

    /// <summary>
    /// Registers a scoped <see cref="ITopicProducer{T}"/> for <paramref name="topic"/>. The key of each record is
    /// <paramref name="keySelector"/>'s answer unless the send sets the <see cref="KafkaHeaders.Key"/> header.
    /// </summary>
    public static void AddProducer<T>(this IRiderRegistrationConfigurator configurator, string topic, Func<T, string?>? keySelector = null)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        configurator.AddProducer(_ => topic, keySelector);
    }

    /// <summary>
    /// As <see cref="AddProducer{T}(IRiderRegistrationConfigurator, string, Func{T, string?}?)"/>, with the topic
    /// taken from the services when the producer is first needed (e.g. from bound and validated options).
    /// </summary>
    public static void AddProducer<T>(this IRiderRegistrationConfigurator configurator, Func<IServiceProvider, string> topic,
        Func<T, string?>? keySelector = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(topic);
        if (keySelector is not null)
        {
            configurator.AddSingleton<ITopicKeySelector>(sp => new TopicKeySelector<T>(topic(sp), keySelector));
        }

        configurator.TryAddScoped<IKafkaRider, ITopicProducer<T>>((rider, scope) =>
        {
            var name = topic(scope);
            return new ScopedTopicProducer<T>(((KafkaRider)rider).TopicEndpoints.GetTopicEndpoint(name), name, keySelector, scope);
        });
    }
}
