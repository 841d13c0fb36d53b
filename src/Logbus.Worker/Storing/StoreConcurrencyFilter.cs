using MassTransit;

namespace Logbus.Worker.Storing;

/// <summary>
/// Lets at most <see cref="StoringOptions.StoreConcurrency"/> consume attempts of the storing endpoint run at once,
/// whatever the number of partitions and their lanes. A dozen lanes each inserting into the same table partition and
/// its indexes on two cores made a stored row cost several times the PostgreSQL time it costs alone (100,000 rows in
/// transactions of 265 on the six indexes: 7.5-8.9 s of PostgreSQL CPU from 12 sessions, 4.5-4.7 s from 2, 3.9 s from
/// one). Bounded to the cores, the same records wait in their lanes instead of in PostgreSQL's lock contention.
/// </summary>
/// <remarks>
/// Sits inside the retry filter: a chunk waiting out a PostgreSQL outage between attempts holds no slot.
/// </remarks>
public sealed class StoreConcurrencyFilter(int limit) : IFilter<ConsumeContext>, IDisposable
{
    private readonly SemaphoreSlim _slots = new(limit, limit);

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        await _slots.WaitAsync(context.CancellationToken);
        try
        {
            await next.Send(context);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("storeConcurrency").Add("limit", limit);

    public void Dispose() => _slots.Dispose();
}
