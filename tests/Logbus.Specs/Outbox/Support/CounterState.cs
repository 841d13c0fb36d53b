using MassTransit;

namespace Logbus.Specs.Outbox.Support;

public sealed class CounterState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = "";

    public int Count { get; set; }

    /// <summary>Mapped to PostgreSQL's xmin, the optimistic concurrency token.</summary>
    public uint Version { get; set; }
}
