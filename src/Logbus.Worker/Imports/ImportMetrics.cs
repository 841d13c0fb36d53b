using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Logbus.ServiceDefaults.Monitoring;

namespace Logbus.Worker.Imports;

/// <summary>What the Worker reports about imports.</summary>
public static class ImportMetrics
{
    private static readonly ConcurrentDictionary<string, int> CountByState = new(StringComparer.Ordinal);

    static ImportMetrics() =>
        LogbusMeters.Logbus.CreateObservableGauge("imports",
            () => CountByState.Select(s => new Measurement<int>(s.Value, new KeyValuePair<string, object?>("state", s.Key))).ToList(),
            "{import}", "Imports by saga state (all kept imports, refreshed by the watchdog).");

    /// <summary>The latest count of kept imports in a saga state, which the gauge reports until the next.</summary>
    public static void SetCount(string state, int count) => CountByState[state] = count;
}
