using Logbus.ServiceDefaults.Resilience;
using MassTransit;

namespace Logbus.Worker.Storing;

/// <summary>
/// The circuit breaker around PostgreSQL, in front of the inbox: once storing keeps failing because PostgreSQL is
/// unreachable, chunks fail at once, without a connection attempt, until a trial after the break succeeds. The retry
/// outside it then waits and tries again, so consumption pauses (no hot loop, nothing dead-lettered) and resumes by
/// itself. Its state is the metric <c>logbus_circuit_open{dependency="PostgreSQL"}</c>.
/// </summary>
public sealed class PostgresCircuitFilter(DependencyCircuitBreaker breaker) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next) =>
        breaker.ExecuteAsync(async _ => await next.Send(context), context.CancellationToken).AsTask();

    public void Probe(ProbeContext context) => context.CreateFilterScope("postgresCircuitBreaker");
}
