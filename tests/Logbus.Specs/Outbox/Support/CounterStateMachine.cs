using MassTransit;

namespace Logbus.Specs.Outbox.Support;

/// <summary>Counts <see cref="CounterStepped"/> events; the first one creates the instance.</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Stepped, e => e.CorrelateById(m => m.Message.CounterId));

        Initially(When(Stepped).Then(c => c.Saga.Count++).TransitionTo(Counting));
        During(Counting, When(Stepped).Then(c => c.Saga.Count++));
    }

    public State Counting { get; private set; } = null!;

    public Event<CounterStepped> Stepped { get; private set; } = null!;
}
