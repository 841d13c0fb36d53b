using System.Diagnostics;
using Confluent.Kafka;
using MassTransit;
using Headers = Confluent.Kafka.Headers;
using MassTransit.Logging;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// The Kafka headers of a produced record: MassTransit's message headers (ids, addresses, message types, content type),
/// every header set on the send context, and the W3C trace context of the send activity.
/// </summary>
internal static class KafkaRecordHeaders
{
    public static Headers From(SendContext context, string? contentType)
    {
        var headers = new Headers();
        AddGuid(headers, MessageHeaders.MessageId, context.MessageId);
        AddGuid(headers, MessageHeaders.CorrelationId, context.CorrelationId);
        AddGuid(headers, MessageHeaders.ConversationId, context.ConversationId);
        AddGuid(headers, MessageHeaders.RequestId, context.RequestId);
        AddGuid(headers, MessageHeaders.InitiatorId, context.InitiatorId);
        Add(headers, MessageHeaders.SourceAddress, context.SourceAddress?.ToString());
        Add(headers, MessageHeaders.ResponseAddress, context.ResponseAddress?.ToString());
        Add(headers, MessageHeaders.FaultAddress, context.FaultAddress?.ToString());
        if (context.SupportedMessageTypes is { Length: > 0 } types)
        {
            Add(headers, MessageHeaders.MessageType, string.Join(';', types));
        }

        Add(headers, MessageHeaders.ContentType, contentType);

        foreach (var (key, value) in context.Headers.GetAll())
        {
            if (IsWrittenAbove(key))
            {
                continue;
            }

            if (KafkaHeaderValues.ToBytes(value) is { } bytes)
            {
                headers.Add(key, bytes);
            }
        }

        AddTraceContext(headers, context);
        return headers;
    }

    private static void AddTraceContext(Headers headers, SendContext context)
    {
        // Inside the send activity Activity.Current is the producer span; a consumer anywhere continues from it.
        var traceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity
            ? activity.Id
            : context.Headers.Get<string>(DiagnosticHeaders.ActivityId);
        Add(headers, KafkaHeaders.TraceParent, traceParent);
        if (Activity.Current?.TraceStateString is { Length: > 0 } traceState)
        {
            Add(headers, KafkaHeaders.TraceState, traceState);
        }
    }

    private static bool IsWrittenAbove(string key) =>
        key.Equals(KafkaHeaders.Key, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.MessageId, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.CorrelationId, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.ConversationId, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.RequestId, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.InitiatorId, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.SourceAddress, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.ResponseAddress, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.FaultAddress, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.MessageType, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.ContentType, StringComparison.OrdinalIgnoreCase)
        || key.Equals(KafkaHeaders.TraceParent, StringComparison.OrdinalIgnoreCase)
        || key.Equals(KafkaHeaders.TraceState, StringComparison.OrdinalIgnoreCase);

    private static void AddGuid(Headers headers, string key, Guid? value)
    {
        if (value is { } id)
        {
            Add(headers, key, id.ToString("D"));
        }
    }

    private static void Add(Headers headers, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.Add(key, System.Text.Encoding.UTF8.GetBytes(value));
        }
    }
}
