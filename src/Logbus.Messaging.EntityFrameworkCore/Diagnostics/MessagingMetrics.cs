using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Logbus.Messaging.EntityFrameworkCore.Diagnostics;

/// <summary>
/// The <c>Logbus.Messaging</c> meter: inbox and outbox counters, and backlog gauges fed by
/// <see cref="OutboxBacklogMonitor{TDbContext}"/>. prometheus-net exports .NET meters with the meter's name as prefix,
/// so <c>outbox.pending</c> appears on <c>/metrics</c> as <c>logbus_messaging_outbox_pending</c>. Every measurement is
/// tagged with the DbContext it belongs to.
/// </summary>
public sealed class MessagingMetrics : IDisposable
{
    public const string MeterName = "Logbus.Messaging";
    private const string ContextTag = "db_context";

    private readonly Meter _meter;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _captured;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _deliveryFailures;
    private readonly Counter<long> _parked;
    private readonly Counter<long> _inboxRemoved;
    private readonly Counter<long> _strandedAdopted;
    private readonly Counter<long> _sagaConflicts;
    private readonly ConcurrentDictionary<string, OutboxBacklog> _backlogs = new(StringComparer.Ordinal);

    public MessagingMetrics(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // A host's meter factory keeps one container's instruments apart from another's; a bare container gets a plain meter.
        _meter = services.GetService(typeof(IMeterFactory)) is IMeterFactory factory
            ? factory.Create(new MeterOptions(MeterName))
            : new Meter(MeterName);
        _consumed = _meter.CreateCounter<long>("inbox.consumed", "{message}",
            "Messages a consumer processed behind the inbox (first copies).");
        _duplicates = _meter.CreateCounter<long>("inbox.duplicates", "{message}",
            "Copies of already processed messages that the inbox skipped.");
        // MassTransit's own count of outbox sends sees only sends made inside its log context (a consume), never the
        // Api's from an HTTP request, which are most of them.
        _captured = _meter.CreateCounter<long>("outbox.captured", "{message}",
            "Messages added to an outbox (bus or consumer) for delivery once their transaction commits; a rolled-back transaction's count too.");
        _delivered = _meter.CreateCounter<long>("outbox.delivered", "{message}",
            "Bus-outbox messages handed to the transport.");
        _deliveryFailures = _meter.CreateCounter<long>("outbox.delivery_failures", "{message}",
            "Bus-outbox sends that failed and stay in the outbox for a later attempt.");
        _parked = _meter.CreateCounter<long>("outbox.parked_messages_total", "{message}",
            "Bus-outbox messages the transport refused for good (label reason), moved to outbox_parked so the others keep flowing.");
        _inboxRemoved = _meter.CreateCounter<long>("inbox.removed", "{row}",
            "Inbox rows removed after the duplicate-detection window.");
        _strandedAdopted = _meter.CreateCounter<long>("inbox.stranded_adopted", "{row}",
            "Inbox rows whose undelivered messages were handed to the bus-outbox delivery service.");
        _sagaConflicts = _meter.CreateCounter<long>("saga.conflicts", "{conflict}",
            "Saga transactions that lost a race (concurrency token, duplicate first insert, deadlock) and were rolled back for a retry.");
        _meter.CreateObservableGauge("outbox.pending", () => Observe(b => b.PendingMessages), "{message}",
            "Bus-outbox messages committed but not yet delivered.");
        _meter.CreateObservableGauge("outbox.oldest_age", () => Observe(b => b.OldestAge.TotalSeconds), "s",
            "Age of the oldest undelivered bus-outbox transaction; 0 when the outbox is empty.");
        _meter.CreateObservableGauge("outbox.parked", () => Observe(b => b.ParkedMessages), "{message}",
            "Bus-outbox messages waiting in outbox_parked for someone to look at them.");
        _meter.CreateObservableGauge("inbox.undelivered", () => Observe(b => b.UndeliveredInboxRows), "{row}",
            "Consumed inbound messages whose own sends have not all reached the transport.");
        _meter.CreateObservableGauge("inbox.undelivered_oldest_age", () => Observe(b => b.OldestUndeliveredInboxAge.TotalSeconds), "s",
            "Age of the oldest consumed inbound message whose sends are not delivered; 0 when there is none.");
        _meter.CreateObservableGauge("inbox.size", () => Observe(b => b.InboxRows), "{row}",
            "Inbox rows kept for duplicate detection (PostgreSQL's planner estimate).");
    }

    public void Consumed(string context) => _consumed.Add(1, Tag(context));

    public void DuplicateSkipped(string context) => _duplicates.Add(1, Tag(context));

    public void Captured(string context) => _captured.Add(1, Tag(context));

    public void Delivered(string context, int count) => _delivered.Add(count, Tag(context));

    public void DeliveryFailed(string context) => _deliveryFailures.Add(1, Tag(context));

    public void Parked(string context, string reason, int count) =>
        _parked.Add(count, Tag(context), new KeyValuePair<string, object?>("reason", reason));

    public void InboxRemoved(string context, int count) => _inboxRemoved.Add(count, Tag(context));

    public void StrandedAdopted(string context, int count) => _strandedAdopted.Add(count, Tag(context));

    public void SagaConflict(string saga) => _sagaConflicts.Add(1, new KeyValuePair<string, object?>("saga", saga));

    /// <summary>Records the latest backlog reading of a DbContext's outbox, which the gauges report until the next.</summary>
    public void Backlog(string context, OutboxBacklog backlog)
    {
        if (_backlogs.TryAdd(context, backlog))
        {
            // The delivery counters exist at zero from the first reading: a service whose chunks go straight to Kafka may
            // deliver nothing through its outbox for hours, and a panel or alert on them would otherwise find no series.
            _captured.Add(0, Tag(context));
            _delivered.Add(0, Tag(context));
            _deliveryFailures.Add(0, Tag(context));
            return;
        }

        _backlogs[context] = backlog;
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string context) => new(ContextTag, context);

    private IEnumerable<Measurement<T>> Observe<T>(Func<OutboxBacklog, T> value)
        where T : struct =>
        _backlogs.Select(b => new Measurement<T>(value(b.Value), Tag(b.Key))).ToList();
}
