using Logbus.ServiceDefaults.Resilience;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Tail;

/// <summary>
/// Counts open live tails, in total and per client address, so that tails (each polling PostgreSQL every second) cannot
/// take every connection and thread of the Query service.
/// </summary>
public sealed class TailConnections(IOptions<LiveTailOptions> options)
{
    private readonly LiveTailOptions _options = options.Value;
    private readonly ClientSlots _slots = new(options.Value.MaxConnections, options.Value.MaxConnectionsPerClient);

    /// <summary>A lease to dispose when the tail ends, or the setting whose cap is reached.</summary>
    public (IDisposable? Lease, string? CapReached) TryOpen(string client) => _slots.TryTake(client) switch
    {
        (_, SlotCap.Total) => (null, $"{LiveTailOptions.Section}:{nameof(LiveTailOptions.MaxConnections)} = {_options.MaxConnections}"),
        (_, SlotCap.Client) => (null,
            $"{LiveTailOptions.Section}:{nameof(LiveTailOptions.MaxConnectionsPerClient)} = {_options.MaxConnectionsPerClient}"),
        var (lease, _) => (lease, null),
    };
}
