using Microsoft.Extensions.Options;

namespace Logbus.Query.Tail;

/// <summary>
/// Counts open live tails, in total and per client address, so that tails (each polling PostgreSQL every second) cannot
/// take every connection and thread of the Query service.
/// </summary>
public sealed class TailConnections(IOptions<LiveTailOptions> options)
{
    private readonly LiveTailOptions _options = options.Value;
    private readonly Dictionary<string, int> _perClient = [];
    private readonly Lock _lock = new();
    private int _total;

    /// <summary>A lease to dispose when the tail ends, or the setting whose cap is reached.</summary>
    public (IDisposable? Lease, string? CapReached) TryOpen(string client)
    {
        lock (_lock)
        {
            if (_total >= _options.MaxConnections)
            {
                return (null, $"{LiveTailOptions.Section}:{nameof(LiveTailOptions.MaxConnections)} = {_options.MaxConnections}");
            }

            var mine = _perClient.GetValueOrDefault(client);
            if (mine >= _options.MaxConnectionsPerClient)
            {
                return (null, $"{LiveTailOptions.Section}:{nameof(LiveTailOptions.MaxConnectionsPerClient)} = {_options.MaxConnectionsPerClient}");
            }

            _perClient[client] = mine + 1;
            _total++;
            return (new Lease(this, client), null);
        }
    }

    private void Close(string client)
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

    private sealed class Lease(TailConnections connections, string client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                connections.Close(client);
            }
        }
    }
}
