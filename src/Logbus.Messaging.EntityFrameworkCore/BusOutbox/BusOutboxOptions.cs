namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>How the bus outbox captures messages and how its delivery service drains them.</summary>
public sealed class BusOutboxOptions
{
    /// <summary>
    /// How often the delivery service looks without being woken. Wake-ups come on every commit (in this process) and by
    /// NOTIFY (from others), so this only bounds how late it notices rows freed by a claimer that died, or a lost
    /// notification.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Outbox transactions claimed at once; their messages are sent concurrently, each outbox in order.</summary>
    public int ClaimBatchSize { get; set; } = 100;

    /// <summary>At most this many messages are loaded per claim; a larger outbox continues in the next claim.</summary>
    public int MessageBatchSize { get; set; } = 1000;

    /// <summary>
    /// At most this many bytes of message bodies are loaded per claim (always at least one message, however large); the
    /// rest continues in the next claim. A round holds what it loads twice over (UTF-16 text, then the bytes it sends), so
    /// this bounds the delivery service's memory when the outbox holds large messages, such as the Api's chunks of up to
    /// a megabyte each.
    /// </summary>
    public long MessageBatchBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>How long one send may take before it counts as failed.</summary>
    public TimeSpan MessageDeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// PostgreSQL ends a claiming session that stays silent this long (<c>idle_in_transaction_session_timeout</c>), so
    /// rows held by a host that vanished without closing its connection become claimable again.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest pause between attempts while sends keep failing (the pause doubles from one second).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Run the delivery service in this process (a process may only write to the outbox).</summary>
    public bool DeliveryServiceEnabled { get; set; } = true;

    /// <summary>Wake on NOTIFY from other processes; without it they are noticed after <see cref="PollInterval"/>.</summary>
    public bool ListenForNotifications { get; set; } = true;

    /// <summary>
    /// At most one NOTIFY per this interval leaves a process (a trailing one follows the last commit): each NOTIFY is a
    /// transaction of its own that takes PostgreSQL's notification-queue lock, and under load the other processes are
    /// awake and draining anyway.
    /// </summary>
    public TimeSpan NotifyInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How soon an outbox whose next message an <see cref="IOutboxDeliveryHold"/> held is claimed again. A hold is not a
    /// failure: it neither counts as an attempt nor doubles the pause.
    /// </summary>
    public TimeSpan HoldRecheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the backlog gauges are refreshed.</summary>
    public TimeSpan BacklogRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Store messages for addresses routed beside the bus (topics) in MassTransit's JSON envelope, as before raw JSON
    /// became the default. Raw JSON (the default) is what the Kafka rider produces when it sends directly: the body is the
    /// message and its ids and message types travel as headers, so delivery sends the stored body as it is and a
    /// consumer deserializes the message straight from the record. Stored envelopes are delivered either way.
    /// </summary>
    public bool CaptureEnvelopes { get; set; }

    /// <summary>
    /// URI schemes the bus itself cannot resolve that are still captured (<c>topic</c> for Kafka); a scheme with a keyed
    /// <c>ISendEndpointProvider</c> is captured too.
    /// </summary>
    public ISet<string> CapturedSchemes { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "topic" };
}
