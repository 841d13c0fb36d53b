using System.Diagnostics.Metrics;

namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>
/// The meters of Logbus's own instruments. prometheus-net exports an instrument as <c>meter_instrument</c> (lower case,
/// dots as underscores) and adds nothing else, so instrument names carry their Prometheus suffixes (<c>_total</c>,
/// <c>_seconds</c>): <c>worker_events_stored_total</c> on <see cref="Logbus"/> is <c>logbus_worker_events_stored_total</c>.
/// These meters are process-wide, as is the registry prometheus-net exports them to: a counter's total is the process's,
/// however many hosts one process runs (as with the static prometheus-net metrics they replace). State that belongs to
/// one host, such as its readiness, goes on a meter of the same name from that host's <c>IMeterFactory</c>.
/// </summary>
public static class LogbusMeters
{
    public const string LogbusName = "Logbus";

    /// <summary>Instruments named <c>logbus_*</c> on <c>/metrics</c>.</summary>
    public static readonly Meter Logbus = new(LogbusName);

    /// <summary>The tutorial's <c>log_*</c> metrics (<c>log_ingestion_total</c>): their meter supplies the prefix.</summary>
    public static readonly Meter TutorialLog = new("log");

    /// <summary>The tutorial's <c>kafka_*</c> metrics (<c>kafka_messages_consumed_total</c>).</summary>
    public static readonly Meter TutorialKafka = new("kafka");

    /// <summary>Whether an instrument's meter is one of these (by name, so a host's meter factory's copy counts too).</summary>
    public static bool Owns(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        return meter.Name == Logbus.Name || meter.Name == TutorialLog.Name || meter.Name == TutorialKafka.Name;
    }
}
