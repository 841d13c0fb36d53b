using System.Collections.Concurrent;

namespace Logbus.Messaging.Kafka.Retention;

/// <summary>
/// Which holds of a topic are worth a warning. Under a sustained overload the guard holds and releases a topic every
/// few seconds; a warning and a release line for each buried everything else in the log. The first hold of a series
/// warns, saying how many holds went unreported since the last warning; the holds within <c>quietFor</c> of that warning
/// are logged at Debug, and so are their releases (the delivery-held gauge and the holds counter count every one).
/// </summary>
internal sealed class HoldLogThrottle(TimeSpan quietFor, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    /// <summary>A hold starts: true when it is to be warned about, with the holds not warned about since the last warning.</summary>
    public bool Warns(string topic, out int unreported)
    {
        var now = time.GetUtcNow();
        var series = _series.GetOrAdd(topic, _ => new Series());
        lock (series)
        {
            if (series.WarnedAt is { } warned && now - warned < quietFor)
            {
                series.Unreported++;
                series.CurrentWarned = false;
                unreported = 0;
                return false;
            }

            unreported = series.Unreported;
            series.Unreported = 0;
            series.WarnedAt = now;
            series.CurrentWarned = true;
            return true;
        }
    }

    /// <summary>The hold ends: true when its start was warned about, so its end is worth a line too.</summary>
    public bool ReportsRelease(string topic)
    {
        if (!_series.TryGetValue(topic, out var series))
        {
            return true;
        }

        lock (series)
        {
            return series.CurrentWarned;
        }
    }

    private sealed class Series
    {
        public DateTimeOffset? WarnedAt;
        public int Unreported;
        public bool CurrentWarned;
    }
}
