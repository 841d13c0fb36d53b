using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Logbus.Bench.Measuring;
using Npgsql;

namespace Logbus.Bench.Load;

/// <summary>
/// Ingest-to-queryable latency of sampled ids of accepted events: the time from when the request carrying an event was due
/// to when the event became readable. Two ways, chosen at <see cref="StartAsync"/>:
/// <list type="bullet">
/// <item>With the run's database and PostgreSQL's <c>track_commit_timestamp</c> on (<c>./logbus stack</c> starts it so), the
/// commit time of each stored row (<c>pg_xact_commit_timestamp(xmin)</c>): exactly when the Query's by-id lookup, which reads
/// PostgreSQL and never caches a miss, could first find it. Nothing is asked while the load runs; when the caller collects, one
/// SQL lookup of all pending ids every <see cref="CommitPollInterval"/> until all are stored.</item>
/// <item>Otherwise each pending id is looked up on Logbus.Query (<c>GET /api/query/logs/{id}</c>) every <see cref="Interval"/>,
/// late by up to one interval. Behind a backlog this is hundreds of lookups a second (at 10,000 events/s, 327/s kept the Query
/// at 0.35 cores during the mode it measured).</item>
/// </list>
/// </summary>
internal sealed class QueryablePoller(HttpClient query, Stopwatch clock, NpgsqlDataSource? database) : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan CommitPollInterval = TimeSpan.FromMilliseconds(250);
    // Each pending id is a lookup every interval on the Query; looked up in PostgreSQL once at the end, they cost nothing meanwhile.
    private const int MaxPolledPending = 1_000;
    private const int MaxCommitPending = 50_000;

    private readonly ConcurrentDictionary<string, double> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _foundIds = [];
    private Latencies _found = new();
    private Task? _loop;
    private long _skipped;
    private DateTimeOffset? _clockZero;

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

    /// <summary>How the latencies are measured, for the report.</summary>
    public string Method => _clockZero is null
        ? $"sampled ids looked up on the Query every {Interval.TotalMilliseconds:0} ms until found (late by up to that)"
        : "the commit time PostgreSQL recorded for each sampled id's row (`track_commit_timestamp`), the instant the Query's by-id "
          + "lookup could first find it; no lookups on the Query while measuring";

    /// <summary>Why commit times are not used, when they are not (null when they are, or without a database).</summary>
    public string? CommitTimesUnavailable { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database is not null)
        {
            await using var command = database.CreateCommand("SHOW track_commit_timestamp");
            if (await command.ExecuteScalarAsync(cancellationToken) is "on")
            {
                // The run's clock on the wall clock PostgreSQL stamps commits with (the same machine's).
                _clockZero = DateTimeOffset.UtcNow - clock.Elapsed;
            }
            else
            {
                CommitTimesUnavailable = "PostgreSQL runs with track_commit_timestamp off";
            }
        }

        // With commit times nothing needs asking while the load runs: the ids are looked up once the caller collects.
        if (_clockZero is null)
        {
            _loop ??= Task.Run(() => PollAsync(_stop.Token));
        }
    }

    /// <summary>Follows <paramref name="id"/>, accepted in a request sent at <paramref name="sentAt"/> (seconds on the run's clock).</summary>
    public void Track(string id, double sentAt)
    {
        if (_pending.Count >= (_clockZero is null ? MaxPolledPending : MaxCommitPending))
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
            if (_clockZero is not null)
            {
                try
                {
                    await FindCommittedAsync(cancellationToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    // PostgreSQL busy or away for a moment: the ids stay pending and are asked again next round.
                }

                if (_pending.IsEmpty)
                {
                    break;
                }
            }

            await Task.Delay(_clockZero is null ? Interval : CommitPollInterval, cancellationToken);
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

    private async Task FindCommittedAsync(CancellationToken cancellationToken)
    {
        await using var command = database!.CreateCommand(
            $"{StatementBreakdown.CommitTimesTag}SELECT id, pg_xact_commit_timestamp(xmin) FROM log_events WHERE id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", _pending.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            // A row committed while tracking was off has no commit time: it counts as found now.
            var committed = reader.IsDBNull(1)
                ? clock.Elapsed.TotalSeconds
                : (reader.GetFieldValue<DateTimeOffset>(1) - _clockZero!.Value).TotalSeconds;
            if (_pending.TryRemove(id, out var sentAt))
            {
                Found(id, TimeSpan.FromSeconds(committed - sentAt));
            }
        }
    }

    private void Found(string id, TimeSpan latency)
    {
        lock (_gate)
        {
            _found.Add(latency);
            if (_foundIds.Count < 10_000)
            {
                _foundIds.Add(id);
            }
        }
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
                        Found(entry.Key, TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds - sentAt));
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
