using System.Diagnostics;
using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.Diagnostics;

/// <summary>
/// Carries a trace across the outbox. A message waits in a table between the code that sent it and the delivery service
/// that sends it for real, in another process or minutes later, so <see cref="Activity.Current"/> cannot bridge the
/// gap: the sender's W3C trace context is stored with the message's headers, and the delivery continues from it.
/// </summary>
public static class OutboxTracing
{
    /// <summary>The <see cref="ActivitySource"/> of outbox deliveries; tracing must listen to it to record them.</summary>
    public const string SourceName = "Logbus.Messaging";

    /// <summary>W3C names: the transport replaces them with its own producer span's context when it sends.</summary>
    public const string TraceParentHeader = "traceparent";

    public const string TraceStateHeader = "tracestate";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The headers to store: the send's own, plus the current trace context when the send carries none.</summary>
    public static Dictionary<string, object> HeadersToStore(Headers headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var stored = headers.GetAll().ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        if (!stored.ContainsKey(TraceParentHeader) && Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } current)
        {
            stored[TraceParentHeader] = id;
            if (current.TraceStateString is { Length: > 0 } state)
            {
                stored[TraceStateHeader] = state;
            }
        }

        return stored;
    }

    /// <summary>
    /// A span around one stored message's delivery, child of the span that sent it, so the transport's producer span
    /// (and everything downstream of it) joins the sender's trace. Null when nobody listens.
    /// </summary>
    public static Activity? StartDelivery(MessageContext message, Uri destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(destination);
        ActivityContext.TryParse(message.Headers.Get<string>(TraceParentHeader), message.Headers.Get<string>(TraceStateHeader), out var parent);
        var activity = Source.StartActivity("outbox deliver", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.message.id", message.MessageId?.ToString());
        activity?.SetTag("messaging.destination.name", destination.ToString());
        return activity;
    }
}
