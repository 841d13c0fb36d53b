using Microsoft.Extensions.Options;

namespace Logbus.Query.Export;

/// <summary>
/// Counts exports streaming, in total and per client (API key, or address without one). The total bounds what exports
/// hold together (a page of memory each, a read turn per page for as long as downloads last); the per-client cap keeps
/// one script from taking every stream.
/// </summary>
public sealed class ExportStreams(IOptions<ExportOptions> options)
{
    private readonly ExportOptions _options = options.Value;
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _total;

    /// <summary>A lease to dispose when the export ends, or the setting whose cap is reached (<c>total</c> or <c>client</c>).</summary>
    public (IDisposable? Lease, string? Setting, string? Cap) TryOpen(string client)
    {
        lock (_lock)
        {
            if (_total >= _options.MaxConcurrent)
            {
                return (null, $"{ExportOptions.Section}:{nameof(ExportOptions.MaxConcurrent)} = {_options.MaxConcurrent}", "total");
            }

            var mine = _perClient.GetValueOrDefault(client);
            if (mine >= _options.MaxConcurrentPerClient)
            {
                return (null, $"{ExportOptions.Section}:{nameof(ExportOptions.MaxConcurrentPerClient)} = {_options.MaxConcurrentPerClient}",
                    "client");
            }

            _perClient[client] = mine + 1;
            _total++;
            return (new Lease(this, client), null, null);
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

    private sealed class Lease(ExportStreams streams, string client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                streams.Close(client);
            }
        }
    }
}
