using MassTransit;
using MassTransit.Configuration;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>
/// The message types a topic endpoint's consumers, sagas and handlers take, as MassTransit configures them, so the
/// endpoint can refuse to start when something would silently never be consumed.
/// </summary>
internal sealed class ConsumedMessageTypes : IConsumerConfigurationObserver, ISagaConfigurationObserver, IHandlerConfigurationObserver
{
    private readonly HashSet<Type> _types = [];

    public IReadOnlyCollection<Type> Types => _types;

    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class =>
        _types.Add(typeof(TMessage));

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
        ArgumentNullException.ThrowIfNull(stateMachine);
        foreach (var @event in stateMachine.Events)
        {
            var eventType = @event.GetType();
            if (eventType.IsGenericType && eventType.GetGenericArguments() is [var messageType])
            {
                _types.Add(messageType);
            }
        }
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class =>
        _types.Add(typeof(TMessage));

    public void HandlerConfigured<TMessage>(IHandlerConfigurator<TMessage> configurator)
        where TMessage : class =>
        _types.Add(typeof(TMessage));

    /// <summary>Whether the endpoint's declared message type is consumed, directly or in batches.</summary>
    public bool Consumes(Type messageType) =>
        _types.Contains(messageType) || _types.Any(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Batch<>)
            && t.GetGenericArguments()[0] == messageType);

    /// <summary>Every type involved (generic arguments included) that has no namespace: MassTransit cannot route those.</summary>
    public IEnumerable<Type> WithoutNamespace(Type declared) =>
        _types.Append(declared).SelectMany(Flatten).Where(t => !t.IsGenericParameter && string.IsNullOrEmpty(t.Namespace)).Distinct();

    private static IEnumerable<Type> Flatten(Type type) =>
        type.IsGenericType ? type.GetGenericArguments().SelectMany(Flatten).Prepend(type) : [type];
}
