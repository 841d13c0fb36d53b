namespace Logbus.ServiceDefaults.Resilience;

/// <summary>Which of <see cref="ClientSlots"/>' two caps refused a slot.</summary>
public enum SlotCap
{
    None,
    Total,
    Client,
}

/// <summary>
/// Slots for long-lived requests (an export, a live tail), capped in total and per client, so neither all clients
/// together nor one of them can hold every connection and thread of a service. Each slot is a lease the request
/// disposes when it ends; disposing twice frees it once.
/// </summary>
public sealed class ClientSlots(int total, int perClient)
{
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _total;

    /// <summary>A lease, or null with the cap that refused it.</summary>
    public (IDisposable? Lease, SlotCap Refused) TryTake(string client)
    {
        lock (_lock)
        {
            if (_total >= total)
            {
                return (null, SlotCap.Total);
            }

            var mine = _perClient.GetValueOrDefault(client);
            if (mine >= perClient)
            {
                return (null, SlotCap.Client);
            }

            _perClient[client] = mine + 1;
            _total++;
            return (new Lease(this, client), SlotCap.None);
        }
    }

    private void Release(string client)
    {
        lock (_lock)
        {
            _total--;
            if (--_perClient[client] == 0)
            {
                _perClient.Remove(client);
            }
        }
    }

    private sealed class Lease(ClientSlots slots, string client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                slots.Release(client);
            }
        }
    }
}
