using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>
/// A counter on a .NET meter that behaves on <c>/metrics</c> as a Prometheus counter does: each series from zero (one
/// without tags from the moment the counter exists) for the life of the process. prometheus-net's meter adapter turns
/// each measurement of a plain <see cref="Counter{T}"/> into an increment of a series it creates at the first
/// measurement and drops after five idle minutes, so <c>increase()</c> and <c>rate()</c> would miss the first count
/// after every quiet spell. Here the totals are kept in the process and an <see cref="ObservableCounter{T}"/> reports
/// them at every scrape. A series a dashboard or alert names should exist before its first count (a panel shows 0
/// rather than "No data", and <c>increase()</c> sees the step from 0 to 1): <see cref="Zero"/> and
/// <see cref="ZeroEach"/> create the label sets a counter is known to have, at zero.
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
    public void Add(long value, params ReadOnlySpan<string> tagValues) => Interlocked.Add(ref SeriesOf(tagValues).Total, value);

    /// <summary>Creates the series with these tag values at zero, if it does not exist yet; its count is left as it is.</summary>
    /// <param name="tagValues">One value per tag name given to the constructor, in that order.</param>
    public CumulativeCounter Zero(params ReadOnlySpan<string> tagValues)
    {
        SeriesOf(tagValues);
        return this;
    }

    /// <summary>
    /// Creates at zero every combination of the given values, one list per tag name in the constructor's order: the
    /// routes times the reasons, for one.
    /// </summary>
    public CumulativeCounter ZeroEach(params IReadOnlyList<string>[] valuesPerTag)
    {
        ArgumentNullException.ThrowIfNull(valuesPerTag);
        if (valuesPerTag.Length != _tagNames.Length)
        {
            throw new ArgumentException($"Expected {_tagNames.Length} lists of tag values, got {valuesPerTag.Length}.", nameof(valuesPerTag));
        }

        IEnumerable<string[]> combinations = [[]];
        foreach (var values in valuesPerTag)
        {
            combinations = combinations.SelectMany(prefix => values.Select(v => (string[])[.. prefix, v])).ToList();
        }

        foreach (var combination in combinations)
        {
            Zero(combination);
        }

        return this;
    }

    private Series SeriesOf(ReadOnlySpan<string> tagValues)
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
        if (_series.TryGetValue(key, out var series))
        {
            return series;
        }

        var tags = new KeyValuePair<string, object?>[tagValues.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = new KeyValuePair<string, object?>(_tagNames[i], tagValues[i]);
        }

        return _series.GetOrAdd(key, new Series(tags));
    }

    private List<Measurement<long>> Observe() => [.. _series.Values.Select(s => new Measurement<long>(Interlocked.Read(ref s.Total), s.Tags))];

    private sealed class Series(KeyValuePair<string, object?>[] tags)
    {
        public long Total;

        public KeyValuePair<string, object?>[] Tags { get; } = tags;
    }
}
