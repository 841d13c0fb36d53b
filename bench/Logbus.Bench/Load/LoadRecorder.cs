using System.Diagnostics;

namespace Logbus.Bench.Load;

/// <summary>
/// What one scenario's requests did: latency of every request, answers by status, and per-second buckets (requests,
/// events accepted, latencies) for the figures over time. Thread-safe; every request reports once.
/// </summary>
internal sealed class LoadRecorder(string scenario, Stopwatch clock)
{
    private readonly Lock _gate = new();
    private readonly Latencies _latencies = new();
    private readonly SortedDictionary<string, long> _statuses = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, Bucket> _seconds = [];
    private long _acceptedEvents;
    private long _requests;
    private double _firstSecond = double.NaN;
    private double _lastSecond;

    public string Scenario { get; } = scenario;

    public long Requests => Interlocked.Read(ref _requests);

    public long AcceptedEvents => Interlocked.Read(ref _acceptedEvents);

    public Latencies Latencies => _latencies;

    public IReadOnlyDictionary<string, long> Statuses => _statuses;

    /// <summary>Seconds from the first request's start to the last answer.</summary>
    public double Elapsed => double.IsNaN(_firstSecond) ? 0 : Math.Max(_lastSecond - _firstSecond, 1e-3);

    /// <param name="startedAt">Seconds on the run's clock when the request was due (open loop) or sent (closed loop).</param>
    /// <param name="status">The HTTP status, or the failure's name when there was no answer.</param>
    public void Record(double startedAt, string status, int acceptedEvents)
    {
        var now = clock.Elapsed.TotalSeconds;
        var latency = TimeSpan.FromSeconds(now - startedAt);
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _acceptedEvents, acceptedEvents);
        lock (_gate)
        {
            _latencies.Add(latency);
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
            var second = (long)Math.Floor(now);
            if (!_seconds.TryGetValue(second, out var bucket))
            {
                _seconds[second] = bucket = new Bucket();
            }

            bucket.Requests++;
            bucket.Events += acceptedEvents;
            bucket.Latencies.Add(latency);
            _firstSecond = double.IsNaN(_firstSecond) ? startedAt : Math.Min(_firstSecond, startedAt);
            _lastSecond = Math.Max(_lastSecond, now);
        }
    }

    /// <summary>p99 of the latest second with answers, for progress lines (NaN before any).</summary>
    public double LatestP99()
    {
        lock (_gate)
        {
            return _seconds.Count == 0 ? double.NaN : _seconds.Last().Value.Latencies.Percentile(99);
        }
    }

    /// <summary>One point per second of the run's clock: events accepted, requests answered, latency percentiles.</summary>
    public List<LoadPoint> Series()
    {
        lock (_gate)
        {
            return [.. _seconds.Select(s => new LoadPoint(Scenario, s.Key, s.Value.Requests, s.Value.Events,
                s.Value.Latencies.Percentile(50), s.Value.Latencies.Percentile(99)))];
        }
    }

    /// <summary>Answers other than 2xx, by status, for the report: "none" when every request succeeded.</summary>
    public string Errors()
    {
        lock (_gate)
        {
            var errors = _statuses.Where(s => !s.Key.StartsWith('2')).Select(s => $"{s.Key}: {s.Value:N0}").ToList();
            return errors.Count == 0 ? "none" : string.Join(", ", errors);
        }
    }

    private sealed class Bucket
    {
        public long Requests { get; set; }

        public long Events { get; set; }

        public Latencies Latencies { get; } = new();
    }
}

/// <summary>One second of one scenario.</summary>
internal sealed record LoadPoint(string Scenario, long Second, long Requests, long Events, double P50Ms, double P99Ms);
