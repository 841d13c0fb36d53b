using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.EntityFrameworkCore.Inbox;
using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.Configuration;

/// <summary>What <c>AddPgOutbox&lt;TDbContext&gt;</c> sets up: the inbox and consumer outbox, and optionally the bus outbox.</summary>
public sealed class PgOutboxConfigurator
{
    /// <summary>Duplicate window, stranded-row rule and cleanup of the inbox.</summary>
    public InboxOptions Inbox { get; } = new();

    /// <summary>Capture and delivery settings of the bus outbox; used once <see cref="UseBusOutbox"/> is called.</summary>
    public BusOutboxOptions BusOutbox { get; } = new();

    internal bool BusOutboxEnabled { get; private set; }

    internal Func<ConsumeContext, Guid?>? MessageId { get; private set; }

    /// <summary>
    /// Routes publish and send of scopes outside consumers (web requests) through the outbox in the scope's DbContext,
    /// and runs the delivery service (unless <see cref="BusOutboxOptions.DeliveryServiceEnabled"/> is off).
    /// </summary>
    public PgOutboxConfigurator UseBusOutbox(Action<BusOutboxOptions>? configure = null)
    {
        BusOutboxEnabled = true;
        configure?.Invoke(BusOutbox);
        return this;
    }

    /// <summary>
    /// Names inbound messages that carry no MessageId; when <paramref name="messageId"/> returns null too, the default
    /// (MessageId, then <c>Kafka-Topic</c>/<c>Kafka-Partition</c>/<c>Kafka-Offset</c> headers) applies.
    /// </summary>
    public PgOutboxConfigurator InboxMessageId(Func<ConsumeContext, Guid?> messageId)
    {
        MessageId = messageId ?? throw new ArgumentNullException(nameof(messageId));
        return this;
    }
}
