using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Logbus.Bench.Load;

/// <summary>
/// Ingest-to-queryable latency: sampled ids of accepted events are looked up on Logbus.Query (<c>GET /api/query/logs/{id}</c>,
/// whose misses are never cached) every <see cref="Interval"/> until found. The figure is the time from when the
/// request carrying the event was sent to the first lookup that found it, so it is late by up to one interval.
/// </summary>
internal sealed class QueryablePoller(HttpClient query, Stopwatch clock) : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private const int MaxPending = 1_000;

    private readonly ConcurrentDictionary<string, double> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _foundIds = [];
    private Latencies _found = new();
    private Task? _loop;
    private long _skipped;

    public int Pending => _pending.Count;

    /// <summary>One of the ids found stored so far (a bounded sample), for lookups that should hit; null before any.</summary>
    public string? FoundId(long index)
    {
        lock (_gate)
        {
            return _foundIds.Count == 0 ? null : _foundIds[(int)(index % _foundIds.Count)];
        }
    }

    /// <summary>Ids not tracked because too many were pending already.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    public void Start() => _loop ??= Task.Run(() => PollAsync(_stop.Token));

    /// <summary>Follows <paramref name="id"/>, accepted in a request sent at <paramref name="sentAt"/> (seconds on the run's clock).</summary>
    public void Track(string id, double sentAt)
    {
        if (_pending.Count >= MaxPending)
        {
            Interlocked.Increment(ref _skipped);
            return;
        }

        _pending.TryAdd(id, sentAt);
    }

    /// <summary>Waits until every tracked id was found (or <paramref name="timeout"/>), then hands over what was measured and starts
    /// afresh.</summary>
    public async Task<(Latencies Found, int NotFound)> CollectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = clock.Elapsed + timeout;
        while (!_pending.IsEmpty && clock.Elapsed < deadline)
        {
            await Task.Delay(Interval, cancellationToken);
        }

        var notFound = _pending.Count;
        _pending.Clear();
        lock (_gate)
        {
            var found = _found;
            _found = new Latencies();
            return (found, notFound);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var round = clock.Elapsed;
            await Parallel.ForEachAsync(_pending.ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (entry, token) =>
            {
                try
                {
                    using var response = await query.GetAsync($"/api/query/logs/{Uri.EscapeDataString(entry.Key)}", token);
                    if (response.StatusCode == HttpStatusCode.OK && _pending.TryRemove(entry.Key, out var sentAt))
                    {
                        lock (_gate)
                        {
                            _found.Add(TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds - sentAt));
                            if (_foundIds.Count < 10_000)
                            {
                                _foundIds.Add(entry.Key);
                            }
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // Query busy or restarting: the id stays pending and is asked again next round.
                }
            }).ContinueWith(_ => { }, TaskScheduler.Default);
            var wait = Interval - (clock.Elapsed - round);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
