using MassTransit;

namespace Logbus.Specs.Outbox.Support;

/// <summary>The same counter, inserting the instance before the behaviour runs (the saga repository's <c>Insert</c>).</summary>
public sealed class InsertingCounterStateMachine : MassTransitStateMachine<CounterState>
{
    public InsertingCounterStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Stepped, e =>
        {
            e.CorrelateById(m => m.Message.CounterId);
            e.InsertOnInitial = true;
            e.SetSagaFactory(c => new CounterState { CorrelationId = c.Message.CounterId });
        });

        Initially(When(Stepped).Then(c => c.Saga.Count++).TransitionTo(Counting));
        During(Counting, When(Stepped).Then(c => c.Saga.Count++));
    }

    public State Counting { get; private set; } = null!;

    public Event<CounterStepped> Stepped { get; private set; } = null!;
}
