using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;

namespace Logbus.Specs.Outbox.Support;

/// <summary>
/// Listens to one host's <c>Logbus.Messaging</c> meter as an exporter would: counters summed since the listener
/// started, gauges as last observed.
/// </summary>
internal sealed class MessagingMeterReadings : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _counters = new();
    private readonly ConcurrentDictionary<string, double> _gauges = new();

    public MessagingMeterReadings(IMeterFactory hostMeters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, hostMeters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument, value));
        _listener.Start();
    }

    public double Counter(string name) => _counters.GetValueOrDefault(name);

    /// <summary>Observes the gauges now and returns one.</summary>
    public double? Gauge(string name)
    {
        _listener.RecordObservableInstruments();
        return _gauges.TryGetValue(name, out var value) ? value : null;
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value)
    {
        if (instrument is ObservableGauge<long> or ObservableGauge<double>)
        {
            _gauges[instrument.Name] = value;
        }
        else
        {
            _counters.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
        }
    }
}
