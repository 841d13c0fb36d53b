using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Logbus.Messaging.Kafka.Diagnostics;

/// <summary>
/// A counter whose series start at zero when their tag set is known (<see cref="Zero"/>, when a topic endpoint is
/// configured) and stay for the life of the process: totals kept here and reported by an
/// <see cref="ObservableCounter{T}"/> at each collection. A plain <see cref="Counter{T}"/> appears in an exporter only
/// at its first measurement, so an alert on <c>increase()</c> would have no earlier sample to see the first one against.
/// </summary>
internal sealed class TotalsCounter
{
    private readonly ConcurrentDictionary<string, Total> _totals = new(StringComparer.Ordinal);

    public TotalsCounter(Meter meter, string name, string unit, string description) =>
        meter.CreateObservableCounter(name, Observe, unit, description);

    public void Add(long value, params KeyValuePair<string, string>[] tags) => Interlocked.Add(ref TotalOf(tags).Value, value);

    public void Zero(params KeyValuePair<string, string>[] tags) => TotalOf(tags);

    private Total TotalOf(KeyValuePair<string, string>[] tags) =>
        _totals.GetOrAdd(string.Join('\u001f', tags.Select(t => t.Key + "=" + t.Value)),
            _ => new Total([.. tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value))]));

    private List<Measurement<long>> Observe() => [.. _totals.Values.Select(t => new Measurement<long>(Interlocked.Read(ref t.Value), t.Tags))];

    private sealed class Total(KeyValuePair<string, object?>[] tags)
    {
        public long Value;

        public KeyValuePair<string, object?>[] Tags { get; } = tags;
    }
}
