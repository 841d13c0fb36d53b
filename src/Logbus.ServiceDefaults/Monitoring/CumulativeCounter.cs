using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>
/// A counter on a .NET meter that behaves on <c>/metrics</c> as a Prometheus counter does: each series from zero (one
/// without tags from the moment the counter exists) for the life of the process. prometheus-net's meter adapter turns
/// each measurement of a plain <see cref="Counter{T}"/> into an increment of a series it creates at the first
/// measurement and drops after five idle minutes, so <c>increase()</c> and <c>rate()</c> would miss the first count
/// after every quiet spell. Here the totals are kept in the process and an <see cref="ObservableCounter{T}"/> reports
/// them at every scrape.
/// </summary>
public sealed class CumulativeCounter
{
    private readonly string[] _tagNames;
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    /// <param name="tagNames">The tags every measurement names, in the order <see cref="Add"/> takes their values.</param>
    public CumulativeCounter(Meter meter, string name, string? unit, string description, params string[] tagNames)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _tagNames = tagNames;
        if (tagNames.Length == 0)
        {
            _series[""] = new Series([]);
        }

        meter.CreateObservableCounter(name, Observe, unit, description);
    }

    /// <param name="tagValues">One value per tag name given to the constructor, in that order.</param>
    public void Add(long value, params ReadOnlySpan<string> tagValues)
    {
        if (tagValues.Length != _tagNames.Length)
        {
            throw new ArgumentException($"Expected {_tagNames.Length} tag values, got {tagValues.Length}.", nameof(tagValues));
        }

        var key = tagValues.Length switch
        {
            0 => "",
            1 => tagValues[0],
            _ => string.Join('\u001f', tagValues.ToArray()),
        };
        if (!_series.TryGetValue(key, out var series))
        {
            var tags = new KeyValuePair<string, object?>[tagValues.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                tags[i] = new KeyValuePair<string, object?>(_tagNames[i], tagValues[i]);
            }

            series = _series.GetOrAdd(key, new Series(tags));
        }

        Interlocked.Add(ref series.Total, value);
    }

    private List<Measurement<long>> Observe() => [.. _series.Values.Select(s => new Measurement<long>(Interlocked.Read(ref s.Total), s.Tags))];

    private sealed class Series(KeyValuePair<string, object?>[] tags)
    {
        public long Total;

        public KeyValuePair<string, object?>[] Tags { get; } = tags;
    }
}
